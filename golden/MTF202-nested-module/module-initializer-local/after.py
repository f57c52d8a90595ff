import keras
import tensorflow as tf


class Embedding(tf.keras.layers.Layer):
    def __init__(self, vocab_size, dim):
        super().__init__()
        self.vocab_size = vocab_size
        self.dim = dim
        self.build()

    def build(self, input_shape=None):
        self.table = self.add_weight(
            name="embeddings",
            shape=[self.vocab_size, self.dim],
            initializer=keras.initializers.RandomUniform(minval=-0.1, maxval=0.1),
        )

    def call(self, ids):
        return tf.gather(self.table, ids)


class Encoder(tf.keras.layers.Layer):
    def __init__(self, vocab_size, dim, **kwargs):
        super().__init__(**kwargs)
        self.embed = Embedding(vocab_size, dim)

    def call(self, ids):
        return tf.reduce_mean(self.embed(ids), axis=1)
