import tensorflow as tf


def split_heads(x, n_head, scope="split_heads"):
    """[batch, time, features] -> [batch, heads, time, features / heads].

    The variable scope only groups ops in TensorBoard; nothing here owns a variable."""
    with tf.variable_scope(scope):
        batch, length, features = x.get_shape().as_list()
        x = tf.reshape(x, [-1, length, n_head, features // n_head])
        return tf.transpose(x, [0, 2, 1, 3])
