import tensorflow as tf


def tower_logits(features, num_classes):
    """The model of one GPU tower. The training script builds a tower per GPU and
    calls tf.get_variable_scope().reuse_variables() after the first one."""
    with tf.compat.v1.variable_scope("model"):
        hidden = tf.compat.v1.layers.dense(features, 64, activation=tf.nn.relu,
                                           name="hidden")
        return tf.compat.v1.layers.dense(hidden, num_classes, name="logits")
