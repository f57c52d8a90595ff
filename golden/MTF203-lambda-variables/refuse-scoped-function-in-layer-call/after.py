import tensorflow as tf
from tensorflow import keras


def scale(x):
    with tf.compat.v1.variable_scope("scale"):
        gamma = tf.compat.v1.get_variable("gamma", [x.shape[-1]], initializer=tf.compat.v1.ones_initializer())
        return x * gamma


class Block(keras.layers.Layer):
    def call(self, inputs):
        return keras.layers.Lambda(scale)(inputs)
