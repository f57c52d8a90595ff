import keras
import tensorflow as tf


class Codebook(tf.keras.layers.Layer):
    def __init__(self, entries, dim):
        super().__init__()
        self.entries = entries
        self.dim = dim
        self.build()

    def build(self, input_shape=None):
        self.codes = self.add_weight(
            name="codes",
            shape=[self.entries, self.dim],
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )


class Quantizer(tf.keras.layers.Layer):
    """Reads the module's variable in its own constructor."""

    def __init__(self, entries, dim, **kwargs):
        super().__init__(**kwargs)
        self.codebook = Codebook(entries, dim)
        self.dim = self.codebook.codes.shape[-1]

    def call(self, inputs):
        scores = tf.matmul(inputs, self.codebook.codes, transpose_b=True)
        return tf.matmul(tf.nn.softmax(scores), self.codebook.codes) / self.dim
