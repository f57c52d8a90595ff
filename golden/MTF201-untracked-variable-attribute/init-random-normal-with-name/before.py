import tensorflow as tf


class ScaleByWeight(tf.keras.layers.Layer):
    """Multiplies a batch of 2x2 inputs element-wise by a learned 2x2 weight."""

    def __init__(self):
        super(ScaleByWeight, self).__init__()
        self.v = tf.Variable(tf.random.normal([2, 2]), name="layer_weight")

    def call(self, inputs):
        return self.v * inputs
