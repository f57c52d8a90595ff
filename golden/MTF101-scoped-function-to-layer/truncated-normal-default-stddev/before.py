import tensorflow as tf


def class_scores(features, num_classes, scope="logits"):
    """Unnormalized class scores; the weights start from a unit truncated normal."""
    with tf.variable_scope(scope):
        dim = features.get_shape()[-1]
        weights = tf.get_variable("weights", [dim, num_classes],
                                  initializer=tf.truncated_normal_initializer())
        biases = tf.get_variable("biases", [num_classes],
                                 initializer=tf.constant_initializer(0.0))
        return tf.nn.bias_add(tf.matmul(features, weights), biases)
