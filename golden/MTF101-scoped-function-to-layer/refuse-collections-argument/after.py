import tensorflow as tf


def track_mean(x, decay=0.99, scope="tracker"):
    """A running mean kept in the local-variables collection and in a collection of
    its own that the evaluation script reads: not converted."""
    with tf.variable_scope(scope):
        average = tf.get_variable(
            "average", [x.get_shape()[-1]], initializer=tf.zeros_initializer(),
            trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES, "averages"])
        update = tf.assign(average, decay * average + (1 - decay) * tf.reduce_mean(x, 0))
        with tf.control_dependencies([update]):
            return x - tf.identity(average)
