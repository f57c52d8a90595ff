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
            initializer="glorot_uniform",
            dtype="float64",
        )
        self.offset = self.add_weight(
            name="offset",
            shape=[self.units],
            initializer=keras.initializers.Constant(value=0.25),
            dtype="float64",
        )

    def call(self, x):
        x = tf.cast(x, tf.float64)
        return tf.matmul(x, self.kernel) + self.offset
