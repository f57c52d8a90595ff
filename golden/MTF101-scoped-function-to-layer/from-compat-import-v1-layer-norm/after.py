import keras
from tensorflow.compat import v1


class LayerNorm(keras.layers.Layer):
    """Normalizes each position over its features, then scales and shifts."""

    def __init__(self, epsilon=1e-5, name="ln", **kwargs):
        super().__init__(name=name, **kwargs)
        self.epsilon = epsilon

    def build(self, x_shape):
        n_state = x_shape[-1]
        self.gamma = self.add_weight(name="gamma", shape=[n_state], initializer="ones")
        self.beta = self.add_weight(name="beta", shape=[n_state], initializer="zeros")

    def call(self, x):
        mean, variance = v1.nn.moments(x, axes=[-1], keep_dims=True)
        x = (x - mean) * v1.rsqrt(variance + self.epsilon)
        return x * self.gamma + self.beta
