import tensorflow as tf


def dense(x, units, scope=None):
    """Unnamed calls get scopes dense, dense_1, ... from default_name."""
    with tf.variable_scope(scope, default_name="dense"):
        w = tf.get_variable("kernel", [x.get_shape()[-1], units])
        b = tf.get_variable("bias", [units], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b


def projection_head(x, hidden, out):
    with tf.variable_scope("head"):
        h = tf.nn.relu(dense(x, hidden))
        return dense(h, out)
