import keras
import tensorflow as tf


class Encoder(keras.layers.Layer):
    def __init__(self, name="encoder", **kwargs):
        super().__init__(name=name, **kwargs)

    def build(self, x_shape):
        self.w = self.add_weight(
            name="w",
            shape=[x_shape[-1], 16],
            initializer=keras.initializers.RandomNormal(stddev=0.1),
        )

    def call(self, x):
        return tf.nn.l2_normalize(tf.tanh(tf.matmul(x, self.w)), axis=-1)


class SiameseSimilarity(keras.layers.Layer):
    """Cosine similarity of two inputs encoded by the same tower."""

    def __init__(self, name="siamese", **kwargs):
        super().__init__(name=name, **kwargs)
        self.encoder = Encoder(name="encoder")

    def call(self, a, b):
        ea = self.encoder(a)
        eb = self.encoder(b)
        return tf.reduce_sum(ea * eb, axis=-1)
