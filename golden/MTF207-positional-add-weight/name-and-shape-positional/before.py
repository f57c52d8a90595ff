import tensorflow as tf


class Projection(tf.keras.layers.Layer):
    """A bias-free dense projection, written against the Keras 2 signature."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            "kernel", (input_shape[-1], self.units), initializer="glorot_uniform"
        )

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel)
