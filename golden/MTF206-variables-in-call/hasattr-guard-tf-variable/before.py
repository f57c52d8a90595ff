import tensorflow as tf


class LazyScale(tf.keras.layers.Layer):
    """Creates its weight on the first call, guarded so later calls reuse it."""

    def call(self, inputs):
        if not hasattr(self, "scale"):
            self.scale = tf.Variable(tf.ones([inputs.shape[-1]]), name="scale")
        return inputs * self.scale
