import keras
import tensorflow as tf


class Linear(tf.keras.layers.Layer):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.build()

    def build(self, input_shape=None):
        self.w = self.add_weight(
            name="w",
            shape=[self.in_features, self.out_features],
            initializer=keras.initializers.RandomUniform(minval=0.0, maxval=1.0),
        )

    def call(self, x):
        return tf.matmul(x, self.w)


class Projection(tf.keras.layers.Layer):
    """Sizes its module from the input shape, in build."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.linear = Linear(input_shape[-1], self.units)

    def call(self, inputs):
        return self.linear(inputs)
