import tensorflow as tf


class Offset(tf.keras.layers.Layer):
    """Adds a learned offset that starts at `start` (an int gives an int32 variable)."""

    def __init__(self, size, start, **kwargs):
        super().__init__(**kwargs)
        self.size = size
        self.offset = tf.Variable(tf.fill([size], start), name="offset")

    def call(self, inputs):
        return inputs + tf.cast(self.offset, inputs.dtype)
