import tensorflow as tf


def char_embedding(char_ids, n_chars, dim=16):
    """Character embeddings for words [batch, words, chars]; the question encoder and
    the passage encoder both call this and share the table through AUTO_REUSE."""
    with tf.variable_scope("char_embedding", reuse=tf.AUTO_REUSE):
        table = tf.get_variable("table", [n_chars, dim],
                                initializer=tf.random_uniform_initializer(-0.5, 0.5))
        chars = tf.nn.embedding_lookup(table, char_ids)
        return tf.reduce_max(chars, axis=-2)
