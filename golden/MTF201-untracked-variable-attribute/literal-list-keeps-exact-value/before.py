import tensorflow as tf


class ColorMix(tf.keras.layers.Layer):
    """Maps RGB to luma and one chroma channel; starts from hand-picked weights."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.mix = tf.Variable([[0.299, 0.5], [0.587, -0.4187], [0.114, -0.0813]], name="mix")

    def call(self, rgb):
        return tf.matmul(rgb, self.mix)
