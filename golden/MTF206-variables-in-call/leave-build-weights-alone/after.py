import tensorflow as tf


class InnerLayer(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super(InnerLayer, self).__init__(**kwargs)
        self.units = units
        self.w = None

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer='random_normal',
                                 trainable=True)

    def call(self, inputs):
        return tf.matmul(inputs, self.w)
