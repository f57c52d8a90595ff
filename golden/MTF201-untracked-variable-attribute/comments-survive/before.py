import tensorflow as tf


class ChannelAffine(tf.keras.layers.Layer):
    """Per-channel scale and shift (like the affine part of a norm layer)."""

    def __init__(self, dim, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        # Learned gain; starts as the identity.
        self.gamma = tf.Variable(tf.ones([dim]), name="gamma")  # (C,)
        # Learned shift.
        self.beta = tf.Variable(tf.zeros([dim]), name="beta")  # (C,)
        # NOTE: no running statistics here, see RunningCenter for those.

    def call(self, inputs):
        # inputs: (batch, ..., C)
        return inputs * self.gamma + self.beta
