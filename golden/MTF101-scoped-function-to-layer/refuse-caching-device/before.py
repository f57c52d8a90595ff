import tensorflow as tf


def replicated_projection(x, units, scope="projection"):
    """Each tower reads a copy of the weights cached on its own device; Keras 3
    places variables itself: not converted."""
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1], units],
                            caching_device=lambda op: op.device)
        b = tf.get_variable("b", [units], initializer=tf.zeros_initializer(),
                            caching_device=lambda op: op.device)
        return tf.matmul(x, w) + b
