import tensorflow as tf


class Rescale(tf.keras.layers.Layer):
    """Keras 2 let `call` add a weight (a new one on every call)."""

    def build(self, input_shape):
        self.factor = self.add_weight(
            name="factor", shape=(input_shape[-1],), initializer="ones"
        )

    def call(self, inputs):
        return inputs * self.factor
