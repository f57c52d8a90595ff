import tensorflow as tf


class FeatureGate(tf.keras.layers.Layer):
    """Scales each input feature by a learned gate."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def build(self, input_shape):
        # The number of features is only known once inputs arrive.
        self.gate = self.add_weight(
            name="gate", shape=[input_shape[-1]], initializer="ones"
        )

    def call(self, inputs):
        return inputs * tf.sigmoid(self.gate)
