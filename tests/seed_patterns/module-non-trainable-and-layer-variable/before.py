# Seed 000, example 2: a non-trainable module variable and a raw layer variable.
import tensorflow as tf

class MyModule(tf.Module):
    def __init__(self):
        self.w = tf.Variable(tf.random.normal([2,2]), trainable=False, name="fixed_weight")

class MyLayer(tf.keras.layers.Layer):
    def __init__(self):
        super(MyLayer, self).__init__()
        self.module = MyModule()
        self.v = tf.Variable(tf.random.normal([2,2]), name="layer_weight")

    def call(self, inputs):
        return self.module.w + self.v * inputs
