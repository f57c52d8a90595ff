from tensorflow import keras


class SparseGate(keras.layers.Layer):
    def build(self, input_shape):
        self.gate = self.add_weight(
            "gate", (input_shape[-1],), initializer="ones", regularizer="l1_l2"
        )

    def call(self, x):
        return x * self.gate
