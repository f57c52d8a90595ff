import tensorflow as tf


class ChannelAffine(tf.keras.layers.Layer):
    """Per-channel scale and shift (like the affine part of a norm layer)."""

    def __init__(self, dim, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        # NOTE: no running statistics here, see RunningCenter for those.

    def build(self, input_shape):
        # Learned gain; starts as the identity.
        self.gamma = self.add_weight(name="gamma", shape=[self.dim], initializer="ones")  # (C,)
        # Learned shift.
        self.beta = self.add_weight(name="beta", shape=[self.dim], initializer="zeros")  # (C,)

    def call(self, inputs):
        # inputs: (batch, ..., C)
        return inputs * self.gamma + self.beta
