import tensorflow as tf


def sharded_embedding(ids, vocab_size, dim, num_shards=4, scope="embedding"):
    """An embedding table split into shards for parameter servers: a partitioned
    variable has no Keras 3 equivalent: not converted."""
    with tf.variable_scope(scope):
        table = tf.get_variable(
            "table", [vocab_size, dim],
            initializer=tf.random_normal_initializer(stddev=0.02),
            partitioner=tf.fixed_size_partitioner(num_shards))
        return tf.nn.embedding_lookup(table, ids)
