import tensorflow as tf


class LazyScale(tf.keras.layers.Layer):
    """Creates its weight on the first call, guarded so later calls reuse it."""

    def build(self, input_shape):
        self.scale = self.add_weight(
            name="scale", shape=[input_shape[-1]], initializer="ones"
        )

    def call(self, inputs):
        return inputs * self.scale
