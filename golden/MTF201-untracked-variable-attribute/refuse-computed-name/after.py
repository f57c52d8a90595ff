import tensorflow as tf


class PrefixedScale(tf.keras.layers.Layer):
    def __init__(self, units, prefix="block", **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.scale = tf.Variable(tf.ones([units]), name=prefix + "_scale")

    def call(self, inputs):
        return inputs * self.scale
