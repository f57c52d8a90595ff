import tensorflow as tf


class Dense(tf.keras.layers.Layer):
    """Already written the Keras way: weights made with add_weight in build."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=[input_shape[-1], self.units], initializer="glorot_uniform"
        )
        self.bias = self.add_weight(name="bias", shape=[self.units], initializer="zeros")

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel) + self.bias
