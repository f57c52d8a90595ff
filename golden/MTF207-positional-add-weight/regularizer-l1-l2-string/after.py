from tensorflow import keras


class SparseGate(keras.layers.Layer):
    def build(self, input_shape):
        self.gate = self.add_weight(
            name="gate",
            shape=(input_shape[-1],),
            initializer="ones",
            regularizer=keras.regularizers.L1L2(l1=0.01, l2=0.01),
        )

    def call(self, x):
        return x * self.gate
