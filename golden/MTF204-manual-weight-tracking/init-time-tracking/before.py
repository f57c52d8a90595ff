import tensorflow as tf


class Encoder(tf.keras.layers.Layer):
    def __init__(self, input_dim, units, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(units, activation="tanh")
        self.hidden.build((None, input_dim))
        self._trainable_weights = self._trainable_weights + self.hidden.trainable_weights

    def call(self, inputs):
        return self.hidden(inputs)
