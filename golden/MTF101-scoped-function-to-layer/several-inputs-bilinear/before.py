import tensorflow as tf


def bilinear_match(u, v, scope="bilinear"):
    """Scores each pair of rows (u_i, v_i) as u_i^T W v_i + b."""
    with tf.variable_scope(scope):
        w = tf.get_variable("W", [u.get_shape()[-1], v.get_shape()[-1]],
                            initializer=tf.glorot_uniform_initializer())
        b = tf.get_variable("b", [], initializer=tf.zeros_initializer())
        return tf.reduce_sum(tf.matmul(u, w) * v, axis=-1) + b
