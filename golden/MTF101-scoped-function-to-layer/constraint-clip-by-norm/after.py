import keras
import tensorflow as tf


class MaxNormDense(keras.layers.Layer):
    """Dense layer whose weight columns the optimizer keeps inside a ball."""

    def __init__(self, units, max_norm=2.0, name="max_norm_dense", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units
        self.max_norm = max_norm

    def build(self, x_shape):
        self.kernel = self.add_weight(
            name="kernel",
            shape=[x_shape[-1], self.units],
            initializer="glorot_uniform",
            constraint=lambda w: tf.clip_by_norm(w, self.max_norm, axes=[0]),
        )
        self.bias = self.add_weight(
            name="bias", shape=[self.units], initializer="zeros"
        )

    def call(self, x):
        return tf.matmul(x, self.kernel) + self.bias
