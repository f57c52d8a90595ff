import keras
import tensorflow as tf


class Classifier(keras.layers.Layer):
    def __init__(self, num_classes, name="classifier", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_classes = num_classes

    def build(self, x_shape):
        self.w = self.add_weight(
            name="w", shape=[x_shape[-1], self.num_classes], initializer="zeros"
        )
        self.b = self.add_weight(
            name="b", shape=[self.num_classes], initializer="zeros"
        )

    def call(self, x):
        return tf.matmul(x, self.w) + self.b


def build_training_graph(batch_size, n_features, num_classes, learning_rate=0.1):
    """Graph-building script code: not a scoped function, so it stays as it is."""
    features = tf.placeholder(tf.float32, [batch_size, n_features])
    labels = tf.placeholder(tf.int64, [batch_size])
    logits = classifier(features, num_classes)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss)
    return features, labels, loss, train_op
