import keras
import tensorflow as tf


class SelfAttention(keras.layers.Layer):
    """Single-head self-attention with BERT's checkpoint variable names."""

    def __init__(self, hidden_size, name="attention", **kwargs):
        super().__init__(name=name, **kwargs)
        self.hidden_size = hidden_size
        self.self_query = keras.layers.Dense(hidden_size, name="query")
        self.self_key = keras.layers.Dense(hidden_size, name="key")
        self.self_value = keras.layers.Dense(hidden_size, name="value")
        self.output_dense = keras.layers.Dense(hidden_size, name="dense")

    def call(self, x):
        with keras.name_scope("self"):
            q = self.self_query(x)
            k = self.self_key(x)
            v = self.self_value(x)
        scores = tf.matmul(q, k, transpose_b=True) / (self.hidden_size ** 0.5)
        context = tf.matmul(tf.nn.softmax(scores), v)
        with keras.name_scope("output"):
            return self.output_dense(context) + x
