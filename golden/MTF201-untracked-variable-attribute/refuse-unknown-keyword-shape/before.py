import tensorflow as tf


class BatchMemory(tf.keras.layers.Layer):
    """Remembers every batch it has seen; the number of rows grows, so it is left open."""

    def __init__(self, dim, **kwargs):
        super().__init__(**kwargs)
        self.memory = tf.Variable(
            tf.zeros([0, dim]), shape=tf.TensorShape([None, dim]), trainable=False
        )

    def call(self, inputs):
        self.memory.assign(tf.concat([self.memory, inputs], axis=0))
        return inputs
