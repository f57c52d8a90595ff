# Seed 000, example 1: a tf.Module holding a variable, stored on a Keras layer.
import tensorflow as tf

class MyModule(tf.Module):
  def __init__(self):
    self.w = tf.Variable(tf.random.normal([2, 2]), name="module_weight")

class MyLayer(tf.keras.layers.Layer):
  def __init__(self):
    super(MyLayer, self).__init__()
    self.module = MyModule()

  def call(self, inputs):
    return self.module.w * inputs
