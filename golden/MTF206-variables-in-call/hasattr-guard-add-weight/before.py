import tensorflow as tf
from tensorflow import keras


class FeatureGate(keras.layers.Layer):
    def call(self, inputs):
        # The feature size is only known here.
        if not hasattr(self, "gate"):
            self.gate = self.add_weight(
                name="gate", shape=(inputs.shape[-1],), initializer="ones"
            )
        return inputs * tf.sigmoid(self.gate)
