import keras
import tensorflow as tf


class Linear(keras.layers.Layer):
    """Linear map over the concatenated inputs, as TF 1.x rnn_cell wrote it."""

    def __init__(self, output_size, bias_start=0.0, name="Linear", **kwargs):
        super().__init__(name=name, **kwargs)
        self.output_size = output_size
        self.bias_start = bias_start

    def build(self, inputs_shape):
        self.matrix = self.add_weight(
            name="Matrix",
            shape=[inputs_shape[1], self.output_size],
            initializer="glorot_uniform",
        )
        self.bias_term = self.add_weight(
            name="Bias",
            shape=[self.output_size],
            initializer=keras.initializers.Constant(value=self.bias_start),
        )

    def call(self, inputs):
        return tf.matmul(inputs, self.matrix) + self.bias_term


class GruGates(keras.layers.Layer):
    def __init__(self, num_units, name="Gates", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_units = num_units
        self.gates = Linear(2 * num_units, bias_start=1.0, name="gates")

    def call(self, x, h):
        gates = self.gates(tf.concat([x, h], 1))
        return tf.sigmoid(gates)
