import keras
import tensorflow as tf


class SoftmaxLayer(keras.layers.Layer):
    """Weights made with tf.Variable inside the scope, as early TF1 tutorials did."""

    def __init__(self, num_classes, name="softmax", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_classes = num_classes

    def build(self, x_shape):
        self.weights_ = self.add_weight(
            name="weights",
            shape=[int(x_shape[1]), self.num_classes],
            initializer=keras.initializers.TruncatedNormal(stddev=0.1),
        )
        self.biases = self.add_weight(
            name="biases",
            shape=[self.num_classes],
            initializer=keras.initializers.Constant(value=0.1),
        )

    def call(self, x):
        return tf.nn.softmax(tf.matmul(x, self.weights_) + self.biases)
