from tensorflow import keras


class LearnedShift(keras.layers.Layer):
    def build(self, input_shape):
        self.shift = self.add_weight(
            name="shift",
            shape=[input_shape[-1]],
            initializer=keras.initializers.Constant(value=0.25),
        )

    def call(self, x):
        return x + self.shift


def build_model():
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(6)(inputs)
    shifted = LearnedShift(name="shift_1")(hidden)
    return keras.Model(inputs, shifted)
