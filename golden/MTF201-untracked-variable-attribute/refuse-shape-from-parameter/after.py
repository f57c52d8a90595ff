import tensorflow as tf


class PretrainedEmbedding(tf.keras.layers.Layer):
    """Looks up rows of an embedding table that was loaded elsewhere."""

    def __init__(self, initial_table, **kwargs):
        super().__init__(**kwargs)
        # The shape is whatever the caller passes: it cannot be read from this file.
        self.table = tf.Variable(initial_table, name="table")

    def call(self, ids):
        return tf.nn.embedding_lookup(self.table, ids)
