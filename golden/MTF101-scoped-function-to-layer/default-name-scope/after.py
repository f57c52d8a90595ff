import keras
import tensorflow as tf


class Dense(keras.layers.Layer):
    """Unnamed calls get scopes dense, dense_1, ... from default_name."""

    def __init__(self, units, name="dense", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units

    def build(self, x_shape):
        self.w = self.add_weight(
            name="kernel", shape=[x_shape[-1], self.units], initializer="glorot_uniform"
        )
        self.b = self.add_weight(name="bias", shape=[self.units], initializer="zeros")

    def call(self, x):
        return tf.matmul(x, self.w) + self.b


class ProjectionHead(keras.layers.Layer):
    def __init__(self, hidden, out, name="head", **kwargs):
        super().__init__(name=name, **kwargs)
        self.hidden = hidden
        self.out = out
        self.dense = Dense(hidden, name="dense")
        self.dense_1 = Dense(out, name="dense_1")

    def call(self, x):
        h = tf.nn.relu(self.dense(x))
        return self.dense_1(h)
