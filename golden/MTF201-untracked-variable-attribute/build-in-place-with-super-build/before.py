import tensorflow as tf
from tensorflow.keras import layers


class ReluDense(layers.Layer):
    def __init__(self, units, **kwargs):
        super(ReluDense, self).__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        # Small initial weights keep early activations near zero.
        self.kernel = tf.Variable(
            tf.random.truncated_normal([input_shape[-1], self.units], stddev=0.02),
            name="kernel",
        )
        self.bias = tf.Variable(tf.zeros([self.units]), name="bias")
        super(ReluDense, self).build(input_shape)

    def call(self, inputs):
        return tf.nn.relu(tf.matmul(inputs, self.kernel) + self.bias)
