"""Graph-mode building blocks (TensorFlow 1 style)."""

import tensorflow as tf


def conv_block(x, filters, kernel_size=3, scope="conv_block", reuse=False):
    with tf.variable_scope(scope, reuse=reuse):
        in_channels = x.get_shape()[-1].value
        kernel = tf.get_variable(
            "kernel",
            [kernel_size, in_channels, filters],
            initializer=tf.truncated_normal_initializer(stddev=0.05),
        )
        bias = tf.get_variable("bias", [filters], initializer=tf.zeros_initializer())
        y = tf.nn.conv1d(x, kernel, stride=1, padding="SAME") + bias
        return tf.nn.relu(y)


def classifier(x, num_keywords, hidden=128, scope="classifier"):
    with tf.variable_scope(scope):
        h = conv_block(x, hidden, scope="conv1")
        h = conv_block(h, hidden, scope="conv2")
        pooled = tf.reduce_mean(h, axis=1)
        w = tf.get_variable(
            "logits_w",
            [hidden, num_keywords],
            initializer=tf.random_normal_initializer(stddev=0.01),
        )
        b = tf.get_variable("logits_b", [num_keywords], initializer=tf.zeros_initializer())
        return tf.matmul(pooled, w) + b
