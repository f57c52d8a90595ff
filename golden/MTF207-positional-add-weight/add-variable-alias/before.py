import tensorflow as tf


class Embedding(tf.keras.layers.Layer):
    def __init__(self, vocab_size, dim, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
        self.dim = dim

    def build(self, input_shape):
        self.table = self.add_variable(
            "embeddings",
            shape=[self.vocab_size, self.dim],
            initializer=tf.keras.initializers.RandomUniform(-0.1, 0.1),
        )

    def call(self, ids):
        return tf.gather(self.table, ids)
