import tensorflow as tf


class BoundedDense(tf.keras.layers.Dense):
    """A dense layer whose outputs go through a learned per-unit bound."""

    def call(self, inputs):
        if not hasattr(self, "bound"):
            self.bound = self.add_weight(
                name="bound", shape=(self.units,), initializer="ones"
            )
        return self.bound * tf.tanh(super().call(inputs))
