import keras
import tensorflow as tf


class Standardize(keras.layers.Layer):
    """Standardizes features with statistics computed offline and loaded from a
    checkpoint; training must not move them."""

    def __init__(self, epsilon=1e-3, name="standardize", **kwargs):
        super().__init__(name=name, **kwargs)
        self.epsilon = epsilon

    def build(self, x_shape):
        n = x_shape[-1]
        self.mean = self.add_weight(
            name="mean", shape=[n], initializer="zeros", trainable=False
        )
        self.variance = self.add_weight(
            name="variance", shape=[n], initializer="ones", trainable=False
        )

    def call(self, x):
        return (x - self.mean) * tf.math.rsqrt(self.variance + self.epsilon)
