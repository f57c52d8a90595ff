import tensorflow as tf


class Scale(tf.Module):
    def __init__(self, size, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.factor = tf.Variable(tf.ones([size]), name="factor")

    def __call__(self, x):
        return x * self.factor


class Head(tf.keras.layers.Layer):
    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.scale = Scale(size)

    def call(self, inputs):
        return self.scale(inputs)
