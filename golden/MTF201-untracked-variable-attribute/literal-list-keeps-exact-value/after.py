import keras
import tensorflow as tf


class ColorMix(tf.keras.layers.Layer):
    """Maps RGB to luma and one chroma channel; starts from hand-picked weights."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.mix = self.add_weight(
            name="mix",
            shape=(3, 2),
            initializer=keras.initializers.Constant(value=[[0.299, 0.5], [0.587, -0.4187], [0.114, -0.0813]]),
        )

    def call(self, rgb):
        return tf.matmul(rgb, self.mix)
