import keras
import tensorflow as tf


def shape_list(x):
    """Static dimensions where known, dynamic ones elsewhere."""
    static = x.shape.as_list()
    dynamic = tf.shape(x)
    return [dynamic[i] if s is None else s for i, s in enumerate(static)]


class Norm(keras.layers.Layer):
    """Layer normalization with keyword-only options, GPT-2 style."""

    def __init__(self, *, axis=-1, epsilon=1e-5, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.axis = axis
        self.epsilon = epsilon

    def build(self, x_shape):
        n_state = list(x_shape)[-1]
        self.g = self.add_weight(name="g", shape=[n_state], initializer="ones")
        self.b = self.add_weight(name="b", shape=[n_state], initializer="zeros")

    def call(self, x):
        u = tf.reduce_mean(x, axis=self.axis, keepdims=True)
        s = tf.reduce_mean(tf.square(x - u), axis=self.axis, keepdims=True)
        x = (x - u) * tf.math.rsqrt(s + self.epsilon)
        return x * self.g + self.b
