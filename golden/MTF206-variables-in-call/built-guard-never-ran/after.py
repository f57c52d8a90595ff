import tensorflow as tf


class Temperature(tf.keras.layers.Layer):
    """Divides logits by a learned temperature, meant to be created on the first call."""

    def build(self, input_shape):
        self.temperature = self.add_weight(
            name="temperature", shape=(), initializer="ones"
        )

    def call(self, logits):
        return logits / self.temperature
