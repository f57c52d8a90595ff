import tensorflow as tf
from tensorflow import keras


def add_bias(x):
    bias = tf.Variable(tf.zeros([x.shape[-1]]), name="bias")
    return x + bias


class Twice(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shift = keras.layers.Lambda(add_bias)

    def call(self, inputs):
        return self.shift(inputs) * self.shift(inputs)
