import keras
import tensorflow as tf


class PreciseProjection(keras.layers.Layer):
    """Projects in float64: the features are large and nearly cancel."""

    def __init__(self, units, name="precise", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units

    def build(self, x_shape):
        self.kernel = self.add_weight(
            name="kernel",
            shape=[x_shape[-1], self.units],
            dtype="float64",
            initializer="glorot_uniform",
        )
        self.offset = self.add_weight(
            name="offset",
            shape=[self.units],
            dtype="float64",
            initializer=keras.initializers.Constant(0.25),
        )

    def call(self, x):
        x = tf.cast(x, tf.float64)
        return tf.matmul(x, self.kernel) + self.offset
