import tensorflow as tf


class Projection(tf.Module):
    def __init__(self, size):
        super().__init__()
        self.kernel = tf.Variable(tf.eye(size), name="kernel")
        self.norm = tf.norm(self.kernel)

    def __call__(self, x):
        return tf.matmul(x, self.kernel) / self.norm


class Head(tf.keras.layers.Layer):
    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.projection = Projection(size)

    def call(self, inputs):
        return self.projection(inputs)
