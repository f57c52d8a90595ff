import keras
import tensorflow as tf


class BilinearMatch(keras.layers.Layer):
    """Scores each pair of rows (u_i, v_i) as u_i^T W v_i + b."""

    def __init__(self, name="bilinear", **kwargs):
        super().__init__(name=name, **kwargs)

    def build(self, u_shape, v_shape):
        self.w = self.add_weight(
            name="W", shape=[u_shape[-1], v_shape[-1]], initializer="glorot_uniform"
        )
        self.b = self.add_weight(name="b", shape=[], initializer="zeros")

    def call(self, u, v):
        return tf.reduce_sum(tf.matmul(u, self.w) * v, axis=-1) + self.b
