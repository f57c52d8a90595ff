import tensorflow as tf


def fc_layer(x, n_in, n_out, name="fc"):
    """Fully connected layer in the style of the TF 1.x MNIST tutorials."""
    with tf.variable_scope(name):
        W = tf.get_variable("W", [n_in, n_out], tf.float32,
                            tf.truncated_normal_initializer(stddev=0.1))
        b = tf.get_variable("b", [n_out], tf.float32, tf.constant_initializer(0.1))
        return tf.nn.relu(tf.matmul(x, W) + b)
