import keras
import tensorflow as tf


class Linear(tf.keras.layers.Layer):
    """tf.random.normal draws with stddev 1.0; Keras' RandomNormal defaults to 0.05."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel",
            shape=[input_shape[-1], self.units],
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )
        self.bias = self.add_weight(
            name="bias", shape=[self.units], initializer="zeros"
        )

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel) + self.bias
