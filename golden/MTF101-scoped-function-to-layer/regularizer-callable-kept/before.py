import tensorflow as tf


def projection(x, units, decay=5e-4, scope="projection"):
    """The weight decay is a plain callable, as many TF1 code bases wrote it."""
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1], units],
                            initializer=tf.random_normal_initializer(stddev=0.05),
                            regularizer=lambda t: decay * tf.nn.l2_loss(t))
        return tf.matmul(x, w)
