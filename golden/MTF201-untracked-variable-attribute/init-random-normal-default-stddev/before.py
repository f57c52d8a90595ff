import tensorflow as tf


class Projection(tf.keras.layers.Layer):
    def __init__(self, input_dim, units, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.units = units
        self.kernel = tf.Variable(tf.random.normal([input_dim, units]))
        self.shift = tf.Variable(tf.random.normal([units], mean=1.0, stddev=0.5))

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel) + self.shift
