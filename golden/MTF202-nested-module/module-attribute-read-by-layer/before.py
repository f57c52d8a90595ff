import tensorflow as tf


class MyModule(tf.Module):
    def __init__(self):
        self.w = tf.Variable(tf.random.normal([2, 2]), name="module_weight")


class MyLayer(tf.keras.layers.Layer):
    """Reads the module's variable directly; Keras 2 tracked it, Keras 3 does not."""

    def __init__(self):
        super(MyLayer, self).__init__()
        self.module = MyModule()

    def call(self, inputs):
        return self.module.w * inputs
