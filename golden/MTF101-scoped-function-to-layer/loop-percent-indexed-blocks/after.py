import keras
import tensorflow as tf


class ResidualBlock(keras.layers.Layer):
    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)

    def build(self, x_shape):
        d = x_shape[-1]
        self.w = self.add_weight(
            name="w",
            shape=[d, d],
            initializer=keras.initializers.RandomNormal(stddev=0.05),
        )
        self.b = self.add_weight(name="b", shape=[d], initializer="zeros")

    def call(self, x):
        return x + tf.nn.relu(tf.matmul(x, self.w) + self.b)


class ResidualTower(keras.layers.Layer):
    """n_blocks residual blocks, scoped block0, block1, ... like GPT-2's h0, h1, ..."""

    def __init__(self, n_blocks, name="tower", **kwargs):
        super().__init__(name=name, **kwargs)
        self.n_blocks = n_blocks
        self.block = [ResidualBlock(name="block%d" % i) for i in range(n_blocks)]

    def call(self, x):
        for i in range(self.n_blocks):
            x = self.block[i](x)
        return x
