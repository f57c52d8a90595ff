# Seed 001, example 2: the inner layer's weights fed to the outer layer's list.
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

class OuterLayer(tf.keras.layers.Layer):
    def __init__(self, units_inner, **kwargs):
        super(OuterLayer, self).__init__(**kwargs)
        self.inner_layer = InnerLayer(units_inner)

    def build(self, input_shape):
        self.inner_layer.build(input_shape)
        self._trainable_weights.extend(self.inner_layer.trainable_weights)

    def call(self, inputs):
        return self.inner_layer(inputs)
