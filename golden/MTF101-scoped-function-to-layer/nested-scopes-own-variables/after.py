import keras
import tensorflow as tf


class Glu(keras.layers.Layer):
    """Gated linear unit; each half keeps its variables in its own scope."""

    def __init__(self, units, name="glu", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units

    def build(self, x_shape):
        depth = x_shape[-1]
        with keras.name_scope("linear"):
            self.w = keras.Variable(
                initializer="glorot_uniform", shape=[depth, self.units], name="kernel"
            )
            self.b = keras.Variable(initializer="zeros", shape=[self.units], name="bias")
        with keras.name_scope("gate"):
            self.v = keras.Variable(
                initializer="glorot_uniform", shape=[depth, self.units], name="kernel"
            )
            self.c = keras.Variable(initializer="ones", shape=[self.units], name="bias")

    def call(self, x):
        return (tf.matmul(x, self.w) + self.b) * tf.sigmoid(tf.matmul(x, self.v) + self.c)
