import tensorflow as tf


def gelu(x):
    return 0.5 * x * (1.0 + tf.tanh(0.7978845608 * (x + 0.044715 * tf.pow(x, 3))))


def conv1d(x, scope, nf):
    with tf.variable_scope(scope):
        nx = x.get_shape()[-1].value
        w = tf.get_variable("w", [nx, nf], initializer=tf.random_normal_initializer(stddev=0.02))
        b = tf.get_variable("b", [nf], initializer=tf.zeros_initializer())
        return tf.tensordot(x, w, axes=1) + b


def mlp(x, scope, expansion=4):
    """Transformer feed-forward block: widen, GELU, project back to the input width."""
    with tf.variable_scope(scope):
        nx = x.get_shape()[-1].value
        h = gelu(conv1d(x, "c_fc", expansion * nx))
        return conv1d(h, "c_proj", nx)
