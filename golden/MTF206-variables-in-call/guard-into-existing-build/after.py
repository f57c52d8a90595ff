import keras
import tensorflow as tf


class ScaledProjection(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[-1], self.units), initializer="glorot_uniform"
        )
        self.scale = self.add_weight(
            name="scale",
            shape=[self.units],
            initializer=keras.initializers.Constant(value=0.5),
        )
        super().build(input_shape)

    def call(self, inputs):
        outputs = tf.matmul(inputs, self.kernel)
        return outputs * self.scale
