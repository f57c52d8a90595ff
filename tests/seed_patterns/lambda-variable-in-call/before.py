# Seed 004, example 1: a Lambda built in call whose function creates a variable.
import tensorflow as tf
from tensorflow import keras

class IncorrectLayer(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super(IncorrectLayer, self).__init__(**kwargs)
        self.units = units

    def call(self, inputs):
        def lambda_function(x):
            # Incorrect: Creates an unmanaged variable
            weight = tf.Variable(initial_value=tf.random.normal(shape=(x.shape[-1], self.units)), trainable=True)
            return tf.matmul(x, weight)

        return keras.layers.Lambda(lambda_function)(inputs)
