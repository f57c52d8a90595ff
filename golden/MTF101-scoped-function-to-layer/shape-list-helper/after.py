import keras
import tensorflow as tf


def shape_list(x):
    """Static dimensions where known, dynamic ones elsewhere."""
    static = x.shape.as_list()
    dynamic = tf.shape(x)
    return [dynamic[i] if s is None else s for i, s in enumerate(static)]


class Conv1d(keras.layers.Layer):
    """Pointwise projection of [batch, time, features] to nf features."""

    def __init__(self, nf, w_init_stdev=0.02, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.nf = nf
        self.w_init_stdev = w_init_stdev

    def build(self, x_shape):
        *start, nx = list(x_shape)
        self.w = self.add_weight(
            name="w",
            shape=[1, nx, self.nf],
            initializer=keras.initializers.RandomNormal(stddev=self.w_init_stdev),
        )
        self.b = self.add_weight(name="b", shape=[self.nf], initializer="zeros")

    def call(self, x):
        *start, nx = shape_list(x)
        flat = tf.matmul(tf.reshape(x, [-1, nx]), tf.reshape(self.w, [-1, self.nf])) + self.b
        return tf.reshape(flat, start + [self.nf])
