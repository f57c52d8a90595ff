import tensorflow as tf
from tensorflow import keras


def scale_channels(x):
    gain = tf.Variable(tf.fill([x.shape[-1]], 2.0), name="gain")
    return x * gain


class Encoder(keras.layers.Layer):
    def call(self, inputs):
        return keras.layers.Lambda(scale_channels)(inputs)


class Decoder(keras.layers.Layer):
    def call(self, features):
        return keras.layers.Lambda(scale_channels)(features) + 1.0
