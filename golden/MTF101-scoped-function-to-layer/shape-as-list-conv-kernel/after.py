import keras
import tensorflow as tf


class Conv2d(keras.layers.Layer):
    """Strided convolution as DCGAN-era model files defined it."""

    def __init__(
        self,
        output_dim,
        k_h=5,
        k_w=5,
        d_h=2,
        d_w=2,
        stddev=0.02,
        name="conv2d",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.output_dim = output_dim
        self.k_h = k_h
        self.k_w = k_w
        self.d_h = d_h
        self.d_w = d_w
        self.stddev = stddev

    def build(self, input_shape):
        in_channels = list(input_shape)[-1]
        self.w = self.add_weight(
            name="w",
            shape=[self.k_h, self.k_w, in_channels, self.output_dim],
            initializer=keras.initializers.TruncatedNormal(stddev=self.stddev),
        )
        self.biases = self.add_weight(
            name="biases", shape=[self.output_dim], initializer="zeros"
        )

    def call(self, input_):
        conv = tf.nn.conv2d(input_, self.w, strides=[1, self.d_h, self.d_w, 1], padding="SAME")
        return tf.nn.bias_add(conv, self.biases)
