import tensorflow as tf


def precise_projection(x, units, scope="precise"):
    """Projects in float64: the features are large and nearly cancel."""
    with tf.variable_scope(scope):
        x = tf.cast(x, tf.float64)
        kernel = tf.get_variable("kernel", [x.get_shape()[-1], units], dtype=tf.float64,
                                 initializer=tf.glorot_uniform_initializer())
        offset = tf.get_variable("offset", [units], dtype=tf.float64,
                                 initializer=tf.constant_initializer(0.25))
        return tf.matmul(x, kernel) + offset
