import keras
import tensorflow as tf


class MyModule(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.build()

    def build(self, input_shape=None):
        self.w = self.add_weight(
            name="fixed_weight",
            shape=[2, 2],
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            trainable=False,
        )


class MyLayer(tf.keras.layers.Layer):
    def __init__(self):
        super(MyLayer, self).__init__()
        self.module = MyModule()

    def build(self, input_shape):
        self.v = self.add_weight(name="layer_weight", shape=(2, 2), initializer="ones")

    def call(self, inputs):
        return self.module.w + self.v * inputs
