import tensorflow as tf


def softmax_output(h, vocab_size, proj_size, scope="output"):
    """Projection and softmax weights of a language model; get_variable calls
    without an initializer take the scope's N(0, 0.02), not Glorot."""
    with tf.variable_scope(scope, initializer=tf.random_normal_initializer(stddev=0.02)):
        proj = tf.get_variable("proj", [h.get_shape()[-1], proj_size])
        softmax_w = tf.get_variable("softmax_w", [proj_size, vocab_size])
        softmax_b = tf.get_variable("softmax_b", [vocab_size],
                                    initializer=tf.zeros_initializer())
        return tf.matmul(tf.matmul(h, proj), softmax_w) + softmax_b
