import tensorflow as tf


class Gate(tf.keras.layers.Layer):
    def build(self, input_shape):
        gate = tf.keras.layers.Dense(input_shape[-1], activation="sigmoid")
        gate.build(input_shape)
        self._trainable_weights.extend(gate.trainable_weights)
        self.gate = gate

    def call(self, inputs):
        return inputs * self.gate(inputs)
