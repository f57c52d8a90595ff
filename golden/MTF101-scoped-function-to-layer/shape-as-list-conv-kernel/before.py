import tensorflow as tf


def conv2d(input_, output_dim, k_h=5, k_w=5, d_h=2, d_w=2, stddev=0.02, name="conv2d"):
    """Strided convolution as DCGAN-era model files defined it."""
    with tf.variable_scope(name):
        in_channels = input_.get_shape().as_list()[-1]
        w = tf.get_variable("w", [k_h, k_w, in_channels, output_dim],
                            initializer=tf.truncated_normal_initializer(stddev=stddev))
        conv = tf.nn.conv2d(input_, w, strides=[1, d_h, d_w, 1], padding="SAME")
        biases = tf.get_variable("biases", [output_dim],
                                 initializer=tf.constant_initializer(0.0))
        return tf.nn.bias_add(conv, biases)
