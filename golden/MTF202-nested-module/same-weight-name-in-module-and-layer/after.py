import keras
import tensorflow as tf


class MyModule(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.build()

    def build(self, input_shape=None):
        self.w = self.add_weight(
            name="weight",
            shape=[2, 2],
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )


class MyLayer(tf.keras.layers.Layer):
    """Two variables named "weight": as Keras weights their paths tell them apart."""

    def __init__(self):
        super(MyLayer, self).__init__()
        self.module = MyModule()

    def build(self, input_shape):
        self.w = self.add_weight(name="weight", shape=(2, 2), initializer="random_normal")

    def call(self, inputs):
        return self.module.w + self.w * inputs
