import tensorflow as tf


class TiedProjection(tf.keras.layers.Layer):
    """`self.init` keeps the initializer object, so the local stays."""

    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.size = size
        init = tf.keras.initializers.GlorotUniform(seed=3)
        self.init = init

    def build(self, input_shape):
        self.encode = self.add_weight(
            name="encode",
            shape=(self.size, self.size),
            initializer=tf.keras.initializers.GlorotUniform(seed=3),
        )

    def call(self, x):
        return tf.matmul(x, self.encode)
