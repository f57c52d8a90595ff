import tensorflow as tf


def conv_bn_relu(x, filters, kernel_size, strides, is_training, scope):
    """ResNet-style convolution, batch normalization and ReLU."""
    with tf.variable_scope(scope):
        x = tf.layers.conv2d(x, filters, kernel_size, strides=strides, padding="same",
                             use_bias=False,
                             kernel_initializer=tf.variance_scaling_initializer())
        x = tf.layers.batch_normalization(x, momentum=0.997, epsilon=1e-5,
                                          training=is_training)
        return tf.nn.relu(x)
