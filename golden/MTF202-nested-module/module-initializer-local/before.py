import tensorflow as tf


class Embedding(tf.Module):
    def __init__(self, vocab_size, dim):
        super().__init__()
        init = tf.random_uniform_initializer(-0.1, 0.1)
        self.table = tf.Variable(init(shape=[vocab_size, dim]), name="embeddings")

    def __call__(self, ids):
        return tf.gather(self.table, ids)


class Encoder(tf.keras.layers.Layer):
    def __init__(self, vocab_size, dim, **kwargs):
        super().__init__(**kwargs)
        self.embed = Embedding(vocab_size, dim)

    def call(self, ids):
        return tf.reduce_mean(self.embed(ids), axis=1)
