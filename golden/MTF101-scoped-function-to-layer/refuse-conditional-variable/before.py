import tensorflow as tf


def dense(x, units, use_bias=True, scope="dense"):
    """The bias exists only when use_bias is true: not converted."""
    with tf.variable_scope(scope):
        w = tf.get_variable("kernel", [x.get_shape()[-1], units])
        y = tf.matmul(x, w)
        if use_bias:
            b = tf.get_variable("bias", [units], initializer=tf.zeros_initializer())
            y = tf.nn.bias_add(y, b)
        return y
