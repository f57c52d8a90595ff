import keras
import tensorflow as tf


class Generator(keras.layers.Layer):
    """DCGAN generator: project and reshape the noise, then upsample twice."""

    def __init__(self, name="generator", **kwargs):
        super().__init__(name=name, **kwargs)
        self.project = keras.layers.Dense(4 * 4 * 32, name="project")
        self.bn0 = keras.layers.BatchNormalization(name="bn0")
        self.deconv1 = keras.layers.Conv2DTranspose(
            16, 5, strides=2, padding="same", name="deconv1"
        )
        self.bn1 = keras.layers.BatchNormalization(name="bn1")
        self.deconv2 = keras.layers.Conv2DTranspose(
            3, 5, strides=2, padding="same", name="deconv2"
        )

    def call(self, z, training=False):
        h = self.project(z)
        h = tf.reshape(h, [-1, 4, 4, 32])
        h = tf.nn.relu(self.bn0(h, training=training))
        h = self.deconv1(h)
        h = tf.nn.relu(self.bn1(h, training=training))
        h = self.deconv2(h)
        return tf.tanh(h)
