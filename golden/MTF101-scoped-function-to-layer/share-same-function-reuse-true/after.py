import keras
import tensorflow as tf


class Encode(keras.layers.Layer):
    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.proj = keras.layers.Dense(32, activation=tf.tanh, name="proj")

    def call(self, x):
        return self.proj(x)


class DualEncoderScore(keras.layers.Layer):
    """Retrieval score: context and response go through one shared encoder."""

    def __init__(self, name="dual_encoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.encoder = Encode(name="encoder")

    def call(self, context, response):
        c = self.encoder(context)
        r = self.encoder(response)
        return tf.reduce_sum(c * r, axis=-1)
