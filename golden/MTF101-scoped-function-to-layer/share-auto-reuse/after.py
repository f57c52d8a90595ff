import keras
import tensorflow as tf


class CharEmbedding(keras.layers.Layer):
    """Character embeddings for words [batch, words, chars]; the question encoder and
    the passage encoder both call this and share the table through AUTO_REUSE."""

    def __init__(self, n_chars, dim=16, name="char_embedding", **kwargs):
        super().__init__(name=name, **kwargs)
        self.n_chars = n_chars
        self.dim = dim

    def build(self, char_ids_shape):
        self.table = self.add_weight(
            name="table",
            shape=[self.n_chars, self.dim],
            initializer=keras.initializers.RandomUniform(minval=-0.5, maxval=0.5),
        )

    def call(self, char_ids):
        chars = tf.nn.embedding_lookup(self.table, char_ids)
        return tf.reduce_max(chars, axis=-2)
