import tensorflow as tf


def glu(x, units, scope="glu"):
    """Gated linear unit; each half keeps its variables in its own scope."""
    with tf.variable_scope(scope):
        depth = x.get_shape()[-1].value
        with tf.variable_scope("linear"):
            w = tf.get_variable("kernel", [depth, units])
            b = tf.get_variable("bias", [units], initializer=tf.zeros_initializer())
        with tf.variable_scope("gate"):
            v = tf.get_variable("kernel", [depth, units])
            c = tf.get_variable("bias", [units], initializer=tf.ones_initializer())
        return (tf.matmul(x, w) + b) * tf.sigmoid(tf.matmul(x, v) + c)
