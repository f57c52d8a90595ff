import keras
import tensorflow as tf
from tensorflow.keras import layers


class ReluDense(layers.Layer):
    def __init__(self, units, **kwargs):
        super(ReluDense, self).__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        # Small initial weights keep early activations near zero.
        self.kernel = self.add_weight(
            name="kernel",
            shape=[input_shape[-1], self.units],
            initializer=keras.initializers.TruncatedNormal(stddev=0.02),
        )
        self.bias = self.add_weight(
            name="bias", shape=[self.units], initializer="zeros"
        )
        super(ReluDense, self).build(input_shape)

    def call(self, inputs):
        return tf.nn.relu(tf.matmul(inputs, self.kernel) + self.bias)
