import tensorflow as tf


class LogisticRegression(tf.keras.Model):
    """Binary classifier written as a Model subclass, TF 2.x tutorial style."""

    def __init__(self, n_features):
        super(LogisticRegression, self).__init__()
        self.n_features = n_features
        self.w = tf.Variable(
            tf.random.truncated_normal([n_features, 1], stddev=0.1), name="weights"
        )
        self.b = tf.Variable(0.0, name="bias")

    def call(self, x):
        return tf.sigmoid(tf.matmul(x, self.w) + self.b)
