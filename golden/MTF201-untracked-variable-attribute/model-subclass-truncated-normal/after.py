import keras
import tensorflow as tf


class LogisticRegression(tf.keras.Model):
    """Binary classifier written as a Model subclass, TF 2.x tutorial style."""

    def __init__(self, n_features):
        super(LogisticRegression, self).__init__()
        self.n_features = n_features

    def build(self, input_shape):
        self.w = self.add_weight(
            name="weights",
            shape=[self.n_features, 1],
            initializer=keras.initializers.TruncatedNormal(stddev=0.1),
        )
        self.b = self.add_weight(name="bias", shape=(), initializer="zeros")

    def call(self, x):
        return tf.sigmoid(tf.matmul(x, self.w) + self.b)
