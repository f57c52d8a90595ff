import keras
import tensorflow.compat.v1 as tf


class Linear(keras.layers.Layer):
    """y = xW + b, as the RNN cells of TF 1.x computed their gates."""

    def __init__(self, output_size, bias_start=0.0, name="linear", **kwargs):
        super().__init__(name=name, **kwargs)
        self.output_size = output_size
        self.bias_start = bias_start

    def build(self, x_shape):
        input_size = x_shape[1]
        self.w = self.add_weight(
            name="kernel",
            shape=[input_size, self.output_size],
            initializer="glorot_uniform",
        )
        self.b = self.add_weight(
            name="bias",
            shape=[self.output_size],
            initializer=keras.initializers.Constant(value=self.bias_start),
        )

    def call(self, x):
        return tf.matmul(x, self.w) + self.b
