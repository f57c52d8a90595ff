import tensorflow as tf


class Highway(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.transform = tf.keras.layers.Dense(units, activation="relu")
        self.gate = tf.keras.layers.Dense(units, activation="sigmoid")

    def call(self, inputs):
        gate = self.gate(inputs)
        return gate * self.transform(inputs) + (1.0 - gate) * inputs
