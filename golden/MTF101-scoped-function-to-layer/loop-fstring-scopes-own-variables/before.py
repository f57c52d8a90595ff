import tensorflow as tf


def tanh_stack(x, num_layers=3, scope="stack"):
    """num_layers square tanh layers; each iteration opens its own scope."""
    with tf.variable_scope(scope):
        size = x.get_shape()[-1].value
        for i in range(num_layers):
            with tf.variable_scope(f"layer_{i}"):
                w = tf.get_variable("kernel", [size, size],
                                    initializer=tf.orthogonal_initializer())
                b = tf.get_variable("bias", [size], initializer=tf.zeros_initializer())
            x = tf.tanh(tf.matmul(x, w) + b)
        return x
