import keras
import tensorflow as tf


class Glu(keras.layers.Layer):
    """Gated linear unit; each half keeps its variables in its own scope."""

    def __init__(self, units, name="glu", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units
        self.linear = keras.layers.Layer(name="linear")
        self.gate = keras.layers.Layer(name="gate")

    def build(self, x_shape):
        depth = x_shape[-1]
        self.w = self.linear.add_weight(
            name="kernel", shape=[depth, self.units], initializer="glorot_uniform"
        )
        self.b = self.linear.add_weight(
            name="bias", shape=[self.units], initializer="zeros"
        )
        self.v = self.gate.add_weight(
            name="kernel", shape=[depth, self.units], initializer="glorot_uniform"
        )
        self.c = self.gate.add_weight(
            name="bias", shape=[self.units], initializer="ones"
        )

    def call(self, x):
        return (tf.matmul(x, self.w) + self.b) * tf.sigmoid(tf.matmul(x, self.v) + self.c)
