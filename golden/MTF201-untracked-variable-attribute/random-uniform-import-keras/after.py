import keras
import tensorflow as tf


class UniformDense(keras.layers.Layer):
    def __init__(self, input_dim, units, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            name="w",
            shape=[self.input_dim, self.units],
            initializer=keras.initializers.RandomUniform(minval=-0.1, maxval=0.1),
        )
        self.b = self.add_weight(
            name="b",
            shape=[self.units],
            initializer=keras.initializers.RandomUniform(minval=0.0, maxval=1.0),
        )

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b
