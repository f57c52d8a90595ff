import tensorflow as tf


class PositionBias(tf.keras.layers.Layer):
    def call(self, inputs):
        if not hasattr(self, "bias"):
            length = tf.shape(inputs)[1]
            self.bias = tf.Variable(tf.zeros([length]), name="bias")
        return inputs + self.bias
