import tensorflow as tf


def linear(args, output_size, bias_start=0.0, scope=None):
    """Linear map over the concatenated inputs, as TF 1.x rnn_cell wrote it."""
    with tf.variable_scope(scope or "Linear"):
        matrix = tf.get_variable("Matrix", [args.get_shape()[1], output_size])
        bias_term = tf.get_variable(
            "Bias", [output_size], initializer=tf.constant_initializer(bias_start)
        )
        return tf.matmul(args, matrix) + bias_term


def gru_gates(x, h, num_units, scope=None):
    with tf.variable_scope(scope or "Gates"):
        gates = linear(tf.concat([x, h], 1), 2 * num_units, 1.0, scope="gates")
        return tf.sigmoid(gates)
