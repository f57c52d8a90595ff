import keras
import tensorflow as tf


class GatedEmbedding(keras.layers.Layer):
    """Word vectors in [-0.1, 0.1) (word2vec style) and per-word gates in [0, 1)."""

    def __init__(self, vocab_size, dim, name="gated_embedding", **kwargs):
        super().__init__(name=name, **kwargs)
        self.vocab_size = vocab_size
        self.dim = dim

    def build(self, ids_shape):
        self.vectors = self.add_weight(
            name="vectors",
            shape=[self.vocab_size, self.dim],
            initializer=keras.initializers.RandomUniform(minval=-0.1, maxval=0.1),
        )
        self.gates = self.add_weight(
            name="gates",
            shape=[self.vocab_size, 1],
            initializer=keras.initializers.RandomUniform(minval=0.0, maxval=1.0),
        )

    def call(self, ids):
        embedded = tf.nn.embedding_lookup(self.vectors, ids)
        return embedded * tf.nn.embedding_lookup(self.gates, ids)
