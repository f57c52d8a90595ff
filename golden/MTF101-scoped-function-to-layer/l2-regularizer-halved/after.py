import keras
import tensorflow as tf


class Fc(keras.layers.Layer):
    """Fully connected ReLU layer with L2 weight decay on the weights."""

    def __init__(self, units, weight_decay=1e-4, name="fc", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units
        self.weight_decay = weight_decay

    def build(self, x_shape):
        self.weights_ = self.add_weight(
            name="weights",
            shape=[x_shape[-1], self.units],
            initializer="glorot_uniform",
            regularizer=keras.regularizers.L2(self.weight_decay / 2),
        )
        self.biases = self.add_weight(
            name="biases", shape=[self.units], initializer="zeros"
        )

    def call(self, x):
        return tf.nn.relu(tf.compat.v1.nn.xw_plus_b(x, self.weights_, self.biases))
