import tensorflow as tf
from tensorflow import keras


class IncorrectLayer(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super(IncorrectLayer, self).__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.weight = self.add_weight(
            name="weight",
            shape=(input_shape[-1], self.units),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )

    def call(self, inputs):
        def lambda_function(x, weight):
            return tf.matmul(x, weight)

        return lambda_function(inputs, weight=self.weight)
