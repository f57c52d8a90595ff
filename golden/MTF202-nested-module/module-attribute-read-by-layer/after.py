import keras
import tensorflow as tf


class MyModule(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.build()

    def build(self, input_shape=None):
        self.w = self.add_weight(
            name="module_weight",
            shape=[2, 2],
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )


class MyLayer(tf.keras.layers.Layer):
    """Reads the module's variable directly; Keras 2 tracked it, Keras 3 does not."""

    def __init__(self):
        super(MyLayer, self).__init__()
        self.module = MyModule()

    def call(self, inputs):
        return self.module.w * inputs
