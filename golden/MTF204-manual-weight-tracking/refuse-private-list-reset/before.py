import tensorflow as tf


class Freezable(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = tf.keras.layers.Dense(units)

    def build(self, input_shape):
        self.dense.build(input_shape)
        self._trainable_weights.extend(self.dense.trainable_weights)

    def freeze(self):
        self._non_trainable_weights.extend(self._trainable_weights)
        self._trainable_weights = []

    def call(self, inputs):
        return self.dense(inputs)
