# Seed 002, example 2: a tf.Module written as if it had add_weight.
import tensorflow as tf

class MyCustomLayer(tf.Module):
    def __init__(self, units):
        super().__init__()
        self.w = self.add_weight(shape=(10, units), initializer='random_normal', trainable=True, name='weights')
        self.b = self.add_weight(shape=(units,), initializer='zeros', trainable=True, name='biases')

    def __call__(self, inputs):
        return tf.matmul(inputs, self.w) + self.b
