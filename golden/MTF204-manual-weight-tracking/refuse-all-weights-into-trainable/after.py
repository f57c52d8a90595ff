import tensorflow as tf


class NormedDense(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = tf.keras.layers.Dense(units)
        self.norm = tf.keras.layers.BatchNormalization()

    def build(self, input_shape):
        self.dense.build(input_shape)
        self.norm.build((None, self.dense.units))
        self._trainable_weights.extend(self.dense.weights)
        # Keras 2 then listed the moving mean and variance as trainable too.
        self._trainable_weights.extend(self.norm.weights)

    def call(self, inputs):
        return self.norm(self.dense(inputs))
