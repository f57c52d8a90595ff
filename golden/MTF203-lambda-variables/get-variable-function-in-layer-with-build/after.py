import tensorflow as tf
from tensorflow import keras


def gated(x, gate):
    return x * tf.sigmoid(gate)


class GatedDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, shape):
        self.kernel = self.add_weight(name="kernel", shape=(shape[-1], self.units), initializer="ones")
        self.gate = self.add_weight(
            name="gate",
            shape=[shape[-1]],
            initializer=keras.initializers.Constant(value=0.5),
        )

    def call(self, inputs):
        return tf.matmul(gated(inputs, gate=self.gate), self.kernel)
