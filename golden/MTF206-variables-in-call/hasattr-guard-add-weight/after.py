import tensorflow as tf
from tensorflow import keras


class FeatureGate(keras.layers.Layer):
    def build(self, input_shape):
        # The feature size is only known here.
        self.gate = self.add_weight(
            name="gate", shape=(input_shape[-1],), initializer="ones"
        )

    def call(self, inputs):
        return inputs * tf.sigmoid(self.gate)
