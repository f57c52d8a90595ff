import tensorflow as tf
from tensorflow import keras


class Affine(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel",
            shape=[input_shape[-1], self.units],
            initializer=keras.initializers.Constant(value=0.1),
        )
        self.bias = self.add_weight(name="bias", shape=[self.units], initializer="ones")

    def call(self, inputs):
        def affine(x, kernel, bias):
            return tf.nn.relu(tf.matmul(x, kernel) + bias)

        return affine(inputs, kernel=self.kernel, bias=self.bias)
