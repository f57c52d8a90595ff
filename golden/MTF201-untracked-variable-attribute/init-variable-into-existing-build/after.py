import keras
import tensorflow as tf
from keras.layers import Layer


class LogScale(Layer):
    """Multiplies inputs by exp(log_scale); log_scale starts near zero."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.log_scale = self.add_weight(
            name="log_scale",
            shape=[self.units],
            initializer=keras.initializers.RandomNormal(stddev=0.01),
        )
        if input_shape[-1] != self.units:
            raise ValueError(f"expected {self.units} features, got {input_shape[-1]}")
        super().build(input_shape)

    def call(self, inputs):
        return inputs * tf.exp(self.log_scale)
