import tensorflow as tf
from tensorflow import keras


class Affine(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def call(self, inputs):
        def affine(x):
            kernel = tf.Variable(tf.fill([x.shape[-1], self.units], 0.1), name="kernel")
            bias = tf.Variable(tf.ones([self.units]), name="bias")
            return tf.nn.relu(tf.matmul(x, kernel) + bias)

        return keras.layers.Lambda(affine)(inputs)
