import tensorflow as tf


def fc(x, units, weight_decay=1e-4, scope="fc"):
    """Fully connected ReLU layer with L2 weight decay on the weights."""
    with tf.variable_scope(scope):
        weights = tf.get_variable(
            "weights", [x.get_shape()[-1], units],
            initializer=tf.contrib.layers.xavier_initializer(),
            regularizer=tf.contrib.layers.l2_regularizer(weight_decay))
        biases = tf.get_variable("biases", [units], initializer=tf.constant_initializer(0.0))
        return tf.nn.relu(tf.nn.xw_plus_b(x, weights, biases))
