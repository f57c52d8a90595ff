import keras
import tensorflow as tf


def gelu(x):
    return 0.5 * x * (1.0 + tf.tanh(0.7978845608 * (x + 0.044715 * tf.pow(x, 3))))


class Conv1d(keras.layers.Layer):
    def __init__(self, nf, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.nf = nf

    def build(self, x_shape):
        nx = x_shape[-1]
        self.w = self.add_weight(
            name="w",
            shape=[nx, self.nf],
            initializer=keras.initializers.RandomNormal(stddev=0.02),
        )
        self.b = self.add_weight(name="b", shape=[self.nf], initializer="zeros")

    def call(self, x):
        return tf.tensordot(x, self.w, axes=1) + self.b


class Mlp(keras.layers.Layer):
    """Transformer feed-forward block: widen, GELU, project back to the input width."""

    def __init__(self, expansion=4, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.expansion = expansion

    def build(self, x_shape):
        nx = x_shape[-1]
        self.c_fc = Conv1d(self.expansion * nx, name="c_fc")
        self.c_proj = Conv1d(nx, name="c_proj")

    def call(self, x):
        h = gelu(self.c_fc(x))
        return self.c_proj(h)
