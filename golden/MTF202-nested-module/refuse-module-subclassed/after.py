import tensorflow as tf


class Scale(tf.Module):
    def __init__(self, size):
        super().__init__()
        self.gamma = tf.Variable(tf.ones([size]), name="gamma")


class ScaleShift(Scale):
    def __init__(self, size):
        super().__init__(size)
        self.beta = tf.Variable(tf.zeros([size]), name="beta")


class Norm(tf.keras.layers.Layer):
    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.affine = Scale(size)

    def call(self, inputs):
        return inputs * self.affine.gamma
