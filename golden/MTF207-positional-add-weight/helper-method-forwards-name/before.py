import tensorflow as tf


class GatedUnit(tf.keras.layers.Layer):
    """A gated linear unit whose weights come from one helper."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def _weight(self, name, shape, init="glorot_uniform"):
        return self.add_weight(name, shape, initializer=init)

    def build(self, input_shape):
        self.w = self._weight("w", (input_shape[-1], self.units))
        self.v = self._weight("v", (input_shape[-1], self.units))
        self.b = self._weight("b", (self.units,), init="zeros")

    def call(self, inputs):
        return tf.matmul(inputs, self.w) * tf.sigmoid(tf.matmul(inputs, self.v) + self.b)
