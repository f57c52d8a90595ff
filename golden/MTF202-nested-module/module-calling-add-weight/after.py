import keras
import tensorflow as tf


class MyCustomLayer(keras.layers.Layer):
    """Written as if tf.Module had add_weight; it never had."""

    def __init__(self, units):
        super().__init__()
        self.units = units
        self.build()

    def build(self, input_shape=None):
        self.w = self.add_weight(shape=(10, self.units), initializer='random_normal', trainable=True, name='weights')
        self.b = self.add_weight(shape=(self.units,), initializer='zeros', trainable=True, name='biases')

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b
