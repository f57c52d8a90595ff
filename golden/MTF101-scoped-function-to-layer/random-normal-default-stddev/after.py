import keras
import numpy as np
import tensorflow as tf


class EqualizedDense(keras.layers.Layer):
    """Dense layer with the equalized learning rate of progressive GANs: the weights
    are drawn from N(0, 1) and scaled at run time by He's constant."""

    def __init__(self, units, gain=np.sqrt(2.0), name="dense", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units
        self.gain = gain

    def build(self, x_shape):
        fan_in = x_shape[1]
        self.w = self.add_weight(
            name="weight",
            shape=[fan_in, self.units],
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )
        self.b = self.add_weight(name="bias", shape=[self.units], initializer="zeros")

    def call(self, x):
        fan_in = x.shape[1]
        return tf.matmul(x, self.w.value * (self.gain / np.sqrt(fan_in))) + self.b.value
