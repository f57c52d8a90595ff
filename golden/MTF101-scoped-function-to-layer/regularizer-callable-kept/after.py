import keras
import tensorflow as tf


class Projection(keras.layers.Layer):
    """The weight decay is a plain callable, as many TF1 code bases wrote it."""

    def __init__(self, units, decay=5e-4, name="projection", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units
        self.decay = decay

    def build(self, x_shape):
        self.w = self.add_weight(
            name="w",
            shape=[x_shape[-1], self.units],
            initializer=keras.initializers.RandomNormal(stddev=0.05),
            regularizer=lambda t: self.decay * tf.nn.l2_loss(t),
        )

    def call(self, x):
        return tf.matmul(x, self.w)
