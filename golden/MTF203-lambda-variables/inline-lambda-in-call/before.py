import tensorflow as tf


class Gain(tf.keras.layers.Layer):
    def call(self, inputs):
        return tf.keras.layers.Lambda(lambda t: t * tf.Variable(2.0, name="gain") + 1.0)(inputs)
