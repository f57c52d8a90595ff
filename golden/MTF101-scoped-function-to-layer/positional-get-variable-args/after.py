import keras
import tensorflow as tf


class FcLayer(keras.layers.Layer):
    """Fully connected layer in the style of the TF 1.x MNIST tutorials."""

    def __init__(self, n_in, n_out, name="fc", **kwargs):
        super().__init__(name=name, **kwargs)
        self.n_in = n_in
        self.n_out = n_out

    def build(self, x_shape):
        self.W = self.add_weight(
            name="W",
            shape=[self.n_in, self.n_out],
            initializer=keras.initializers.TruncatedNormal(stddev=0.1),
        )
        self.b = self.add_weight(
            name="b",
            shape=[self.n_out],
            initializer=keras.initializers.Constant(value=0.1),
        )

    def call(self, x):
        return tf.nn.relu(tf.matmul(x, self.W) + self.b)
