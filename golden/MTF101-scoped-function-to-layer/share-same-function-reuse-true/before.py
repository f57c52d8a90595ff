import tensorflow as tf


def encode(x, scope, reuse=False):
    with tf.variable_scope(scope, reuse=reuse):
        return tf.layers.dense(x, 32, activation=tf.tanh, name="proj")


def dual_encoder_score(context, response):
    """Retrieval score: context and response go through one shared encoder."""
    with tf.variable_scope("dual_encoder"):
        c = encode(context, "encoder")
        r = encode(response, "encoder", reuse=True)
        return tf.reduce_sum(c * r, axis=-1)
