import tensorflow as tf
from tensorflow import keras


class CorrectLayer(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super(CorrectLayer, self).__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        # Correct: Creates and registers a weight in the build method.
        self.weight = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="random_normal",
                                      trainable=True)

    def call(self, inputs):
        def lambda_function(x, weight):
            return tf.matmul(x, weight)
        return keras.layers.Lambda(lambda_function, arguments={"weight": self.weight})(inputs)
