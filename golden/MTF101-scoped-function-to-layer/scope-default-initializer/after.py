import keras
import tensorflow as tf


class SoftmaxOutput(keras.layers.Layer):
    """Projection and softmax weights of a language model; get_variable calls
    without an initializer take the scope's N(0, 0.02), not Glorot."""

    def __init__(self, vocab_size, proj_size, name="output", **kwargs):
        super().__init__(name=name, **kwargs)
        self.vocab_size = vocab_size
        self.proj_size = proj_size

    def build(self, h_shape):
        self.proj = self.add_weight(
            name="proj",
            shape=[h_shape[-1], self.proj_size],
            initializer=keras.initializers.RandomNormal(stddev=0.02),
        )
        self.softmax_w = self.add_weight(
            name="softmax_w",
            shape=[self.proj_size, self.vocab_size],
            initializer=keras.initializers.RandomNormal(stddev=0.02),
        )
        self.softmax_b = self.add_weight(
            name="softmax_b", shape=[self.vocab_size], initializer="zeros"
        )

    def call(self, h):
        return tf.matmul(tf.matmul(h, self.proj), self.softmax_w) + self.softmax_b
