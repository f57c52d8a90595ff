import keras
import tensorflow as tf


class Projection(tf.keras.layers.Layer):
    def __init__(self, input_dim, units, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel",
            shape=[self.input_dim, self.units],
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )
        self.shift = self.add_weight(
            name="shift",
            shape=[self.units],
            initializer=keras.initializers.RandomNormal(mean=1.0, stddev=0.5),
        )

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel) + self.shift
