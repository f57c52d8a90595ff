import tensorflow as tf


class Temperature(tf.keras.layers.Layer):
    """Divides logits by a learned temperature, meant to be created on the first call."""

    def call(self, logits):
        if not self.built:
            self.temperature = tf.Variable(1.0, name="temperature")
            self.built = True
        return logits / self.temperature
