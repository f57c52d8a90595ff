import tensorflow.compat.v1 as tf


def linear(x, output_size, bias_start=0.0, scope="linear"):
    """y = xW + b, as the RNN cells of TF 1.x computed their gates."""
    with tf.variable_scope(scope):
        input_size = x.get_shape()[1]
        w = tf.get_variable("kernel", [input_size, output_size])
        b = tf.get_variable(
            "bias", [output_size], initializer=tf.constant_initializer(bias_start)
        )
        return tf.matmul(x, w) + b
