import tensorflow as tf


def max_norm_dense(x, units, max_norm=2.0, scope="max_norm_dense"):
    """Dense layer whose weight columns the optimizer keeps inside a ball."""
    with tf.variable_scope(scope):
        kernel = tf.get_variable(
            "kernel", [x.get_shape()[-1], units],
            constraint=lambda w: tf.clip_by_norm(w, max_norm, axes=[0]))
        bias = tf.get_variable("bias", [units], initializer=tf.zeros_initializer())
        return tf.matmul(x, kernel) + bias
