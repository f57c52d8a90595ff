import keras
import tensorflow as tf


class PreciseAffine(tf.keras.layers.Layer):
    """Affine map computed in float64 to avoid cancellation in large sums."""

    def __init__(self, features, **kwargs):
        super().__init__(**kwargs)
        self.features = features

    def build(self, input_shape):
        self.scale = self.add_weight(
            name="scale", shape=[self.features], initializer="ones", dtype="float64"
        )
        self.offset = self.add_weight(
            name="offset",
            shape=(),
            initializer=keras.initializers.Constant(value=0.25),
            dtype="float64",
        )

    def call(self, inputs):
        x = tf.cast(inputs, tf.float64)
        return x * self.scale + self.offset
