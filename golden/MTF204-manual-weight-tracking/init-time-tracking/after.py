import tensorflow as tf


class Encoder(tf.keras.layers.Layer):
    def __init__(self, input_dim, units, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(units, activation="tanh")
        self.hidden.build((None, input_dim))

    def call(self, inputs):
        return self.hidden(inputs)
