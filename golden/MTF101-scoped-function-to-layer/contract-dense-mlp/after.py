import keras
import tensorflow as tf

class Dense(keras.layers.Layer):
    def __init__(self, units, stddev=0.02, name="dense", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units
        self.stddev = stddev

    def build(self, x_shape):
        self.w = self.add_weight(
            name="w",
            shape=[x_shape[-1], self.units],
            initializer=keras.initializers.RandomNormal(stddev=self.stddev),
        )
        self.b = self.add_weight(name="b", shape=[self.units], initializer="zeros")

    def call(self, x):
        return tf.matmul(x, self.w) + self.b

class Mlp(keras.layers.Layer):
    def __init__(self, hidden, out, name="mlp", **kwargs):
        super().__init__(name=name, **kwargs)
        self.hidden = hidden
        self.out = out
        self.fc1 = Dense(hidden, name="fc1")
        self.fc2 = Dense(out, name="fc2")

    def call(self, x):
        h = tf.nn.relu(self.fc1(x))
        return self.fc2(h)
