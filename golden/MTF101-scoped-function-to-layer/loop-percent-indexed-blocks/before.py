import tensorflow as tf


def residual_block(x, scope):
    with tf.variable_scope(scope):
        d = x.get_shape()[-1].value
        w = tf.get_variable("w", [d, d], initializer=tf.random_normal_initializer(stddev=0.05))
        b = tf.get_variable("b", [d], initializer=tf.zeros_initializer())
        return x + tf.nn.relu(tf.matmul(x, w) + b)


def residual_tower(x, n_blocks, scope="tower"):
    """n_blocks residual blocks, scoped block0, block1, ... like GPT-2's h0, h1, ..."""
    with tf.variable_scope(scope):
        for i in range(n_blocks):
            x = residual_block(x, "block%d" % i)
        return x
