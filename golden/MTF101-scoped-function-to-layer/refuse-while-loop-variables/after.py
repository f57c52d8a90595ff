import tensorflow as tf


def refine(x, n_steps, scope="refine"):
    """Applies one shared transition n_steps times inside tf.while_loop; the loop
    body creates the variable, so the body decides what exists: not converted."""
    with tf.variable_scope(scope):
        size = x.get_shape()[-1].value

        def body(i, h):
            with tf.variable_scope("step", reuse=tf.AUTO_REUSE):
                w = tf.get_variable("w", [size, size])
            return i + 1, tf.tanh(tf.matmul(h, w))

        _, out = tf.while_loop(lambda i, h: i < n_steps, body, [tf.constant(0), x])
        return out
