import tensorflow as tf


def standardize(x, epsilon=1e-3, scope="standardize"):
    """Standardizes features with statistics computed offline and loaded from a
    checkpoint; training must not move them."""
    with tf.variable_scope(scope):
        n = x.get_shape()[-1]
        mean = tf.get_variable("mean", [n], initializer=tf.zeros_initializer(),
                               trainable=False)
        variance = tf.get_variable("variance", [n], initializer=tf.ones_initializer(),
                                   trainable=False)
        return (x - mean) * tf.rsqrt(variance + epsilon)
