import tensorflow as tf


class Pooled(tf.keras.layers.Layer):
    """Projects the mean over time; the projection is built on the full input shape."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.proj = tf.keras.layers.Dense(units)

    def build(self, input_shape):
        self.proj.build(input_shape)

    def call(self, sequence):
        return self.proj(tf.reduce_mean(sequence, axis=1))
