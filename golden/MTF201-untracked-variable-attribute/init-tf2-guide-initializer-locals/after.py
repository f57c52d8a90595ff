import tensorflow as tf
from tensorflow import keras


class Linear(keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.units = units
        self.input_dim = input_dim

    def build(self, input_shape):
        self.w = self.add_weight(
            name="w", shape=(self.input_dim, self.units), initializer="random_normal"
        )
        self.b = self.add_weight(name="b", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b
