import tensorflow as tf
from tensorflow import keras


class RunningCenter(keras.layers.Layer):
    """Subtracts a running mean of its inputs; the mean is tracked, not trained."""

    def __init__(self, features, momentum=0.99, **kwargs):
        super().__init__(**kwargs)
        self.features = features
        self.momentum = momentum

    def build(self, input_shape):
        self.moving_mean = self.add_weight(
            name="moving_mean",
            shape=[self.features],
            initializer="zeros",
            trainable=False,
        )

    def call(self, inputs, training=False):
        if training:
            batch_mean = tf.reduce_mean(inputs, axis=0)
            self.moving_mean.assign(
                self.momentum * self.moving_mean + (1.0 - self.momentum) * batch_mean
            )
        return inputs - self.moving_mean
