import keras
import tensorflow as tf


class ClassScores(keras.layers.Layer):
    """Unnormalized class scores; the weights start from a unit truncated normal."""

    def __init__(self, num_classes, name="logits", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_classes = num_classes

    def build(self, features_shape):
        dim = features_shape[-1]
        self.weights_ = self.add_weight(
            name="weights",
            shape=[dim, self.num_classes],
            initializer=keras.initializers.TruncatedNormal(stddev=1.0),
        )
        self.biases = self.add_weight(
            name="biases", shape=[self.num_classes], initializer="zeros"
        )

    def call(self, features):
        return tf.nn.bias_add(tf.matmul(features, self.weights_), self.biases)
