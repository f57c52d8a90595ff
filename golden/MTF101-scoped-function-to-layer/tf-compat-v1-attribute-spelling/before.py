import tensorflow as tf


# tf_upgrade_v2 rewrote this file: every TF1 symbol is spelled tf.compat.v1.*
def embed_tokens(ids, vocab_size, dim, scope="embeddings"):
    with tf.compat.v1.variable_scope(scope):
        table = tf.compat.v1.get_variable(
            "word_embeddings",
            [vocab_size, dim],
            initializer=tf.compat.v1.truncated_normal_initializer(stddev=0.02),
        )
        vectors = tf.nn.embedding_lookup(params=table, ids=ids)
        return vectors * (dim ** 0.5)
