import keras
import tensorflow as tf


class Highway(keras.layers.Layer):
    """y = t * relu(x W_h + b_h) + (1 - t) * x, with t = sigmoid(x W_t + b_t)."""

    def __init__(self, carry_bias=-1.0, name="highway", **kwargs):
        super().__init__(name=name, **kwargs)
        self.carry_bias = carry_bias

    def build(self, x_shape):
        size = x_shape[1]
        self.w_h = self.add_weight(
            name="w_h",
            shape=[size, size],
            initializer=keras.initializers.TruncatedNormal(stddev=0.1),
        )
        self.b_h = self.add_weight(
            name="b_h", shape=[size], initializer=keras.initializers.Constant(value=0.1)
        )
        self.w_t = self.add_weight(
            name="w_t",
            shape=[size, size],
            initializer=keras.initializers.TruncatedNormal(stddev=0.1),
        )
        self.b_t = self.add_weight(
            name="b_t",
            shape=[size],
            initializer=keras.initializers.Constant(value=self.carry_bias),
        )

    def call(self, x):
        h = tf.nn.relu(tf.matmul(x, self.w_h) + self.b_h)
        t = tf.sigmoid(tf.matmul(x, self.w_t) + self.b_t)
        return t * h + (1.0 - t) * x
