import tensorflow as tf


class ExportedScale(tf.keras.layers.Layer):  # migrate-tf: ignore[MTF201]
    """Kept as is on purpose: an exporter reads `scale` as a raw tf.Variable."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.scale = tf.Variable(tf.ones([units]), name="scale")

    def call(self, inputs):
        return inputs * self.scale
