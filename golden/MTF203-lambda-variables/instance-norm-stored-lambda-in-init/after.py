import tensorflow as tf
from tensorflow import keras


def instance_norm(x, scale, offset):
    """Normalizes each sample over its spatial axes."""
    mean, variance = tf.nn.moments(x, axes=[1, 2], keepdims=True)
    return scale * (x - mean) * tf.math.rsqrt(variance + 1e-5) + offset


class ConvNormBlock(keras.layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.conv = keras.layers.Conv2D(filters, 3, padding="same")

    def build(self, input_shape):
        depth = input_shape[-1]
        self.scale = self.add_weight(name="scale", shape=[depth], initializer="ones")
        self.offset = self.add_weight(name="offset", shape=[depth], initializer="zeros")

    def call(self, inputs):
        return tf.nn.relu(self.conv(instance_norm(inputs, scale=self.scale, offset=self.offset)))
