import tensorflow as tf


class Table(tf.keras.layers.Layer):
    def __init__(self, spec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec

    def build(self, input_shape):
        # Is `self.spec` a name or a shape? Only the caller knows.
        self.table = self.add_weight(self.spec, initializer="zeros")

    def call(self, ids):
        return tf.gather(self.table, ids)
