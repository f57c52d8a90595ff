# Seed 001, example 1: a nested custom layer built on its first call. Keras 3 tracks
# it (the seed's claim of zero trainable weights is wrong): nothing to migrate.
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

    def call(self, inputs):
      return self.inner_layer(inputs)
