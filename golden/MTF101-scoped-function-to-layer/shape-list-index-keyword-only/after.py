import keras
import tensorflow as tf


def shape_list(x):
    """Static dimensions where known, dynamic ones elsewhere."""
    static = x.shape.as_list()
    dynamic = tf.shape(x)
    return [dynamic[i] if s is None else s for i, s in enumerate(static)]


class Norm(keras.layers.Layer):
    """Layer normalization with keyword-only options, GPT-2 style."""

    def __init__(self, name, *, axis=-1, epsilon=1e-5, **kwargs):
        super().__init__(name=name, **kwargs)
        self.axis = axis
        self.epsilon = epsilon

    def build(self, x_shape):
        n_state = x_shape[-1]
        self.g = self.add_weight(
            name="g", shape=[n_state], initializer=keras.initializers.Constant(1)
        )
        self.b = self.add_weight(
            name="b", shape=[n_state], initializer=keras.initializers.Constant(0)
        )

    def call(self, x):
        u = tf.reduce_mean(x, axis=self.axis, keepdims=True)
        s = tf.reduce_mean(tf.square(x - u), axis=self.axis, keepdims=True)
        x = (x - u) * tf.math.rsqrt(s + self.epsilon)
        return x * self.g + self.b
