import tensorflow as tf


def highway(x, carry_bias=-1.0, scope="highway"):
    """y = t * relu(x W_h + b_h) + (1 - t) * x, with t = sigmoid(x W_t + b_t)."""
    with tf.variable_scope(scope):
        size = x.get_shape()[1].value
        w_h = tf.get_variable("w_h", [size, size],
                              initializer=tf.truncated_normal_initializer(stddev=0.1))
        b_h = tf.get_variable("b_h", [size], initializer=tf.constant_initializer(0.1))
        w_t = tf.get_variable("w_t", [size, size],
                              initializer=tf.truncated_normal_initializer(stddev=0.1))
        b_t = tf.get_variable("b_t", [size], initializer=tf.constant_initializer(carry_bias))
        h = tf.nn.relu(tf.matmul(x, w_h) + b_h)
        t = tf.sigmoid(tf.matmul(x, w_t) + b_t)
        return t * h + (1.0 - t) * x
