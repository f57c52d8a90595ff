import tensorflow as tf
from tensorflow import keras


def add_bias(x):
    bias = tf.Variable(tf.zeros([x.shape[-1]]), name="bias")
    return x + bias


class Block(keras.layers.Layer):
    def call(self, inputs):
        return keras.layers.Lambda(add_bias)(inputs)
