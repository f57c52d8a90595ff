import tensorflow as tf


class BoundedDense(tf.keras.layers.Dense):
    """A dense layer whose outputs go through a learned per-unit bound."""

    def build(self, input_shape):
        super().build(input_shape)
        self.bound = self.add_weight(
            name="bound", shape=(self.units,), initializer="ones"
        )

    def call(self, inputs):
        return self.bound * tf.tanh(super().call(inputs))
