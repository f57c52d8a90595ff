import tensorflow as tf


def classifier_head(features, num_classes, scope="head"):
    """Three unnamed dense layers: TF1 names them dense, dense_1 and dense_2
    (numbered per variable scope, in the order they are created)."""
    with tf.variable_scope(scope):
        h = tf.layers.dense(features, 64, activation=tf.nn.relu)
        h = tf.layers.dense(h, 32, activation=tf.nn.relu)
        return tf.layers.dense(h, num_classes)
