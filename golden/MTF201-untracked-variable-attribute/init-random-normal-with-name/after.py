import keras
import tensorflow as tf


class ScaleByWeight(tf.keras.layers.Layer):
    """Multiplies a batch of 2x2 inputs element-wise by a learned 2x2 weight."""

    def __init__(self):
        super(ScaleByWeight, self).__init__()

    def build(self, input_shape):
        self.v = self.add_weight(
            name="layer_weight",
            shape=[2, 2],
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )

    def call(self, inputs):
        return self.v * inputs
