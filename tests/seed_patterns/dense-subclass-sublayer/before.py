# Seed 001, example 3: a Dense subclass as the inner layer: tracked, nothing to migrate.
import tensorflow as tf

class InnerLayer(tf.keras.layers.Dense):
    def __init__(self, units, **kwargs):
        super(InnerLayer, self).__init__(units, **kwargs)

class OuterLayer(tf.keras.layers.Layer):
    def __init__(self, units_inner, **kwargs):
        super(OuterLayer, self).__init__(**kwargs)
        self.inner_layer = InnerLayer(units_inner)

    def call(self, inputs):
      return self.inner_layer(inputs)
