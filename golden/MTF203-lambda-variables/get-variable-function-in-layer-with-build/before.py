import tensorflow as tf
from tensorflow import keras


def gated(x):
    gate = tf.compat.v1.get_variable(
        "gate", [x.shape[-1]], initializer=tf.compat.v1.constant_initializer(0.5)
    )
    return x * tf.sigmoid(gate)


class GatedDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, shape):
        self.kernel = self.add_weight(name="kernel", shape=(shape[-1], self.units), initializer="ones")

    def call(self, inputs):
        return tf.matmul(keras.layers.Lambda(gated)(inputs), self.kernel)
