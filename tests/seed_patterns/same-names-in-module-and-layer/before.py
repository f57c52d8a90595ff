# Seed 000, example 3: the module and the layer both name their variable "weight".
import tensorflow as tf

class MyModule(tf.Module):
  def __init__(self):
    self.w = tf.Variable(tf.random.normal([2, 2]), name="weight")

class MyLayer(tf.keras.layers.Layer):
  def __init__(self):
    super(MyLayer, self).__init__()
    self.module = MyModule()
    self.w = tf.Variable(tf.random.normal([2,2]), name="weight")

  def call(self, inputs):
    return self.module.w + self.w * inputs
