import tensorflow as tf


class PreciseAffine(tf.keras.layers.Layer):
    """Affine map computed in float64 to avoid cancellation in large sums."""

    def __init__(self, features, **kwargs):
        super().__init__(**kwargs)
        self.features = features
        self.scale = tf.Variable(tf.ones([features], dtype=tf.float64), name="scale")
        self.offset = tf.Variable(0.25, dtype=tf.float64, name="offset")

    def call(self, inputs):
        x = tf.cast(inputs, tf.float64)
        return x * self.scale + self.offset
