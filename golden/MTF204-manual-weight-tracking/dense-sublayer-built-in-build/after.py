import tensorflow as tf
from tensorflow import keras


class Projection(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(units, use_bias=False)

    def call(self, inputs):
        return tf.nn.relu(self.dense(inputs))
