import tensorflow as tf


def gated_embedding(ids, vocab_size, dim, scope="gated_embedding"):
    """Word vectors in [-0.1, 0.1) (word2vec style) and per-word gates in [0, 1)."""
    with tf.variable_scope(scope):
        vectors = tf.get_variable("vectors", [vocab_size, dim],
                                  initializer=tf.random_uniform_initializer(-0.1, 0.1))
        gates = tf.get_variable("gates", [vocab_size, 1],
                                initializer=tf.random_uniform_initializer())
        embedded = tf.nn.embedding_lookup(vectors, ids)
        return embedded * tf.nn.embedding_lookup(gates, ids)
