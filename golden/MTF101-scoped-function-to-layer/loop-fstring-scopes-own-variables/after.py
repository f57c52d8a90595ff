import keras
import tensorflow as tf


class TanhStack(keras.layers.Layer):
    """num_layers square tanh layers; each iteration opens its own scope."""

    def __init__(self, num_layers=3, name="stack", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_layers = num_layers
        self.layer = [keras.layers.Layer(name=f"layer_{i}") for i in range(num_layers)]

    def build(self, x_shape):
        size = x_shape[-1]
        self.w = []
        self.b = []
        for i in range(self.num_layers):
            self.w.append(
                self.layer[i].add_weight(
                    name="kernel", shape=[size, size], initializer="orthogonal"
                )
            )
            self.b.append(
                self.layer[i].add_weight(name="bias", shape=[size], initializer="zeros")
            )

    def call(self, x):
        for i in range(self.num_layers):
            x = tf.tanh(tf.matmul(x, self.w[i]) + self.b[i])
        return x
