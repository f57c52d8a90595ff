import keras
import tensorflow as tf


class TanhStack(keras.layers.Layer):
    """num_layers square tanh layers; each iteration opens its own scope."""

    def __init__(self, num_layers=3, name="stack", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_layers = num_layers

    def build(self, x_shape):
        size = x_shape[-1]
        self.w = []
        self.b = []
        for i in range(self.num_layers):
            with keras.name_scope(f"layer_{i}"):
                self.w.append(
                    keras.Variable(
                        initializer=keras.initializers.Orthogonal(),
                        shape=[size, size],
                        name="kernel",
                    )
                )
                self.b.append(keras.Variable(initializer="zeros", shape=[size], name="bias"))

    def call(self, x):
        for i in range(self.num_layers):
            x = tf.tanh(tf.matmul(x, self.w[i]) + self.b[i])
        return x
