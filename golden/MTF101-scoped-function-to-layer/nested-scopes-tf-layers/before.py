import tensorflow as tf


def self_attention(x, hidden_size, scope="attention"):
    """Single-head self-attention with BERT's checkpoint variable names."""
    with tf.variable_scope(scope):
        with tf.variable_scope("self"):
            q = tf.layers.dense(x, hidden_size, name="query")
            k = tf.layers.dense(x, hidden_size, name="key")
            v = tf.layers.dense(x, hidden_size, name="value")
        scores = tf.matmul(q, k, transpose_b=True) / (hidden_size ** 0.5)
        context = tf.matmul(tf.nn.softmax(scores), v)
        with tf.variable_scope("output"):
            return tf.layers.dense(context, hidden_size, name="dense") + x
