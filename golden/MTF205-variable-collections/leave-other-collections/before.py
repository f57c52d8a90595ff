import tensorflow as tf


def batch_norm_updates():
    return tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)


def regularization():
    return tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES, scope="encoder")
