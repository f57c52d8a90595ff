import tensorflow as tf


class Highway(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.transform = tf.keras.layers.Dense(units, activation="relu")
        self.gate = tf.keras.layers.Dense(units, activation="sigmoid")

    def build(self, input_shape):
        self.transform.build(input_shape)
        self.gate.build(input_shape)
        self._trainable_weights.extend(
            self.transform.trainable_weights + self.gate.trainable_weights
        )
        self._non_trainable_weights.extend(
            self.transform.non_trainable_weights + self.gate.non_trainable_weights
        )

    def call(self, inputs):
        gate = self.gate(inputs)
        return gate * self.transform(inputs) + (1.0 - gate) * inputs
