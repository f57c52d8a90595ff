import tensorflow as tf


def encoder(x, scope="encoder"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1], 16],
                            initializer=tf.random_normal_initializer(stddev=0.1))
        return tf.nn.l2_normalize(tf.tanh(tf.matmul(x, w)), axis=-1)


def siamese_similarity(a, b):
    """Cosine similarity of two inputs encoded by the same tower."""
    with tf.variable_scope("siamese") as scope:
        ea = encoder(a)
        scope.reuse_variables()
        eb = encoder(b)
        return tf.reduce_sum(ea * eb, axis=-1)
