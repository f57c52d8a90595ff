import tensorflow as tf


class Gain(tf.keras.layers.Layer):
    """A learned per-feature gain; `trainable=None` meant "the default" in Keras 2."""

    def build(self, input_shape):
        self.gain = self.add_weight(
            name="gain",
            shape=(input_shape[-1],),
            initializer="ones",
        )

    def call(self, inputs):
        return inputs * self.gain
