import tensorflow as tf
from tensorflow import keras


def instance_norm(x):
    with tf.compat.v1.variable_scope("instance_norm"):
        depth = x.get_shape()[3]
        scale = tf.compat.v1.get_variable(
            "scale", [depth], initializer=tf.compat.v1.random_normal_initializer(1.0, 0.02)
        )
        offset = tf.compat.v1.get_variable(
            "offset", [depth], initializer=tf.compat.v1.constant_initializer(0.0)
        )
        mean, variance = tf.nn.moments(x, axes=[1, 2], keepdims=True)
        inv = tf.math.rsqrt(variance + 1e-5)
        normalized = (x - mean) * inv
        return scale * normalized + offset


def build_generator():
    images = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(8, 3, padding="same")(images)
    x = keras.layers.Lambda(instance_norm)(x)
    x = keras.layers.ReLU()(x)
    return keras.Model(images, x)
