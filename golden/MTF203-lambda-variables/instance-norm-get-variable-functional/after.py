import tensorflow as tf
from tensorflow import keras


class InstanceNorm(keras.layers.Layer):
    def __init__(self, name="instance_norm", **kwargs):
        super().__init__(name=name, **kwargs)

    def build(self, x_shape):
        depth = x_shape[3]
        self.scale = self.add_weight(
            name="scale",
            shape=[depth],
            initializer=keras.initializers.RandomNormal(mean=1.0, stddev=0.02),
        )
        self.offset = self.add_weight(name="offset", shape=[depth], initializer="zeros")

    def call(self, x):
        mean, variance = tf.nn.moments(x, axes=[1, 2], keepdims=True)
        inv = tf.math.rsqrt(variance + 1e-5)
        normalized = (x - mean) * inv
        return self.scale * normalized + self.offset


def build_generator():
    images = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(8, 3, padding="same")(images)
    x = InstanceNorm()(x)
    x = keras.layers.ReLU()(x)
    return keras.Model(images, x)
