import tensorflow as tf


class FeatureGate(tf.keras.layers.Layer):
    """Scales each input feature by a learned gate."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def call(self, inputs):
        # The number of features is only known once inputs arrive.
        self.gate = tf.Variable(tf.ones([inputs.shape[-1]]), name="gate")
        return inputs * tf.sigmoid(self.gate)
