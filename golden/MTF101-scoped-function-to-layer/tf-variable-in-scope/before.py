import tensorflow as tf


def softmax_layer(x, num_classes, scope="softmax"):
    """Weights made with tf.Variable inside the scope, as early TF1 tutorials did."""
    with tf.variable_scope(scope):
        weights = tf.Variable(
            tf.truncated_normal([int(x.get_shape()[1]), num_classes], stddev=0.1),
            name="weights",
        )
        biases = tf.Variable(tf.constant(0.1, shape=[num_classes]), name="biases")
        return tf.nn.softmax(tf.matmul(x, weights) + biases)
