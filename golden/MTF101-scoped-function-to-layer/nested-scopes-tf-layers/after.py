import keras
import tensorflow as tf


class SelfAttention(keras.layers.Layer):
    """Single-head self-attention with BERT's checkpoint variable names."""

    def __init__(self, hidden_size, name="attention", **kwargs):
        super().__init__(name=name, **kwargs)
        self.hidden_size = hidden_size
        self.query = keras.layers.Dense(hidden_size, name="query")
        self.key = keras.layers.Dense(hidden_size, name="key")
        self.value = keras.layers.Dense(hidden_size, name="value")
        self.dense = keras.layers.Dense(hidden_size, name="dense")

    def call(self, x):
        with keras.name_scope("self"):
            q = self.query(x)
            k = self.key(x)
            v = self.value(x)
        scores = tf.matmul(q, k, transpose_b=True) / (self.hidden_size ** 0.5)
        context = tf.matmul(tf.nn.softmax(scores), v)
        with keras.name_scope("output"):
            return self.dense(context) + x
