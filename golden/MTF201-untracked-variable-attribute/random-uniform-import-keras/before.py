import keras
import tensorflow as tf


class UniformDense(keras.layers.Layer):
    def __init__(self, input_dim, units, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.units = units
        self.w = tf.Variable(tf.random.uniform([input_dim, units], -0.1, 0.1))
        self.b = tf.Variable(tf.random.uniform([units]))

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b
