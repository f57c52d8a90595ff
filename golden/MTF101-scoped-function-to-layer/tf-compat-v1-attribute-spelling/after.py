import keras
import tensorflow as tf


# tf_upgrade_v2 rewrote this file: every TF1 symbol is spelled tf.compat.v1.*
class EmbedTokens(keras.layers.Layer):
    def __init__(self, vocab_size, dim, name="embeddings", **kwargs):
        super().__init__(name=name, **kwargs)
        self.vocab_size = vocab_size
        self.dim = dim

    def build(self, ids_shape):
        self.table = self.add_weight(
            name="word_embeddings",
            shape=[self.vocab_size, self.dim],
            initializer=keras.initializers.TruncatedNormal(stddev=0.02),
        )

    def call(self, ids):
        vectors = tf.nn.embedding_lookup(params=self.table, ids=ids)
        return vectors * (self.dim ** 0.5)
