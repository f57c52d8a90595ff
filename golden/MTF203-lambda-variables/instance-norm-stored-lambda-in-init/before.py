import tensorflow as tf
from tensorflow import keras


def instance_norm(x):
    """Normalizes each sample over its spatial axes."""
    depth = x.shape[-1]
    scale = tf.Variable(tf.ones([depth]), name="scale")
    offset = tf.Variable(tf.zeros([depth]), name="offset")
    mean, variance = tf.nn.moments(x, axes=[1, 2], keepdims=True)
    return scale * (x - mean) * tf.math.rsqrt(variance + 1e-5) + offset


class ConvNormBlock(keras.layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.conv = keras.layers.Conv2D(filters, 3, padding="same")
        self.norm = keras.layers.Lambda(instance_norm)

    def call(self, inputs):
        return tf.nn.relu(self.conv(self.norm(inputs)))
