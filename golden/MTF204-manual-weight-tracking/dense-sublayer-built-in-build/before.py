import tensorflow as tf
from tensorflow import keras


class Projection(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(units, use_bias=False)

    def build(self, input_shape):
        # Build the sublayer now so its weights can be listed as ours.
        self.dense.build(input_shape)
        self._trainable_weights += self.dense.trainable_weights
        super().build(input_shape)

    def call(self, inputs):
        return tf.nn.relu(self.dense(inputs))
