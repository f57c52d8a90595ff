# Seed 004, examples 2 and 3: weights made in build and passed to the Lambda.
import tensorflow as tf
from tensorflow import keras

class ComplexLayer(keras.layers.Layer):
  def __init__(self, units, **kwargs):
    super(ComplexLayer, self).__init__(**kwargs)
    self.units = units

  def build(self, input_shape):
    self.weight = self.add_weight(shape=(input_shape[-1], self.units),
                                  initializer="random_normal",
                                  trainable=True)
    self.bias = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

  def call(self, inputs):
    def complex_lambda(x, weight, bias):
      matmul_result = tf.matmul(x, weight)
      return tf.nn.relu(matmul_result + bias)
    return keras.layers.Lambda(complex_lambda, arguments={"weight": self.weight, "bias": self.bias})(inputs)
