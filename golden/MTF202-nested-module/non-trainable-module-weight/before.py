import tensorflow as tf


class MyModule(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.random.normal([2, 2]), trainable=False, name="fixed_weight")


class MyLayer(tf.keras.layers.Layer):
    def __init__(self):
        super(MyLayer, self).__init__()
        self.module = MyModule()

    def build(self, input_shape):
        self.v = self.add_weight(name="layer_weight", shape=(2, 2), initializer="ones")

    def call(self, inputs):
        return self.module.w + self.v * inputs
