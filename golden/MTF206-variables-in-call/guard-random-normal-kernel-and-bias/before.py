import tensorflow as tf


class Linear(tf.keras.layers.Layer):
    """tf.random.normal draws with stddev 1.0; Keras' RandomNormal defaults to 0.05."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def call(self, inputs):
        if not hasattr(self, "kernel"):
            self.kernel = tf.Variable(
                tf.random.normal([inputs.shape[-1], self.units]), name="kernel"
            )
            self.bias = tf.Variable(tf.zeros([self.units]), name="bias")
        return tf.matmul(inputs, self.kernel) + self.bias
