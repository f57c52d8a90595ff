import tensorflow as tf
from tensorflow import keras


def instance_norm(x):
    depth = x.shape[-1]
    scale = tf.Variable(tf.ones([depth]), name="scale")
    offset = tf.Variable(tf.zeros([depth]), name="offset")
    mean, variance = tf.nn.moments(x, axes=[1, 2], keepdims=True)
    return scale * (x - mean) * tf.math.rsqrt(variance + 1e-5) + offset


def build_model():
    return keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(4, 3, padding="same"),
            keras.layers.Lambda(instance_norm),
        ]
    )
