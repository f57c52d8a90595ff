import tensorflow as tf


class OptionalBias(tf.keras.layers.Layer):
    def __init__(self, units, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.use_bias = use_bias
        if use_bias:
            self.bias = tf.Variable(tf.zeros([units]), name="bias")

    def call(self, inputs):
        if self.use_bias:
            return inputs + self.bias
        return inputs
