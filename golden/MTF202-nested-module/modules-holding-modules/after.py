import tensorflow as tf


class Affine(tf.keras.layers.Layer):
    def __init__(self, size, name=None):
        super().__init__(name=name)
        self.size = size
        self.build()

    def build(self, input_shape=None):
        self.scale = self.add_weight(
            name="scale", shape=[self.size], initializer="ones"
        )
        self.shift = self.add_weight(
            name="shift", shape=[self.size], initializer="zeros"
        )

    def call(self, x):
        return x * self.scale + self.shift


class AffineStack(tf.keras.layers.Layer):
    def __init__(self, size, name=None):
        super().__init__(name=name)
        self.first = Affine(size)
        self.second = Affine(size)

    def call(self, x):
        return self.second(tf.nn.relu(self.first(x)))


class Block(tf.keras.layers.Layer):
    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.stack = AffineStack(size)

    def call(self, inputs):
        return inputs + self.stack(inputs)
