import tensorflow as tf


class Affine(tf.Module):
    def __init__(self, size, name=None):
        super().__init__(name=name)
        self.scale = tf.Variable(tf.ones([size]), name="scale")
        self.shift = tf.Variable(tf.zeros([size]), name="shift")

    def __call__(self, x):
        return x * self.scale + self.shift


class AffineStack(tf.Module):
    def __init__(self, size, name=None):
        super().__init__(name=name)
        self.first = Affine(size)
        self.second = Affine(size)

    def __call__(self, x):
        return self.second(tf.nn.relu(self.first(x)))


class Block(tf.keras.layers.Layer):
    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.stack = AffineStack(size)

    def call(self, inputs):
        return inputs + self.stack(inputs)
