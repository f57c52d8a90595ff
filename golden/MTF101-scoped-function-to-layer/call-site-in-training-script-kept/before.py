import tensorflow as tf


def classifier(x, num_classes, scope="classifier"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1], num_classes],
                            initializer=tf.zeros_initializer())
        b = tf.get_variable("b", [num_classes], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b


def build_training_graph(batch_size, n_features, num_classes, learning_rate=0.1):
    """Graph-building script code: not a scoped function, so it stays as it is."""
    features = tf.placeholder(tf.float32, [batch_size, n_features])
    labels = tf.placeholder(tf.int64, [batch_size])
    logits = classifier(features, num_classes)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss)
    return features, labels, loss, train_op
