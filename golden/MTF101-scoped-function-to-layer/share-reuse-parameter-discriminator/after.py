import keras
import tensorflow as tf


class Discriminator(keras.layers.Layer):
    """DCGAN discriminator: the training script calls it on real images, then on
    generated ones with reuse=True, so both calls share one set of variables."""

    def __init__(self, name="discriminator", **kwargs):
        super().__init__(name=name, **kwargs)
        self.conv1 = keras.layers.Conv2D(16, 4, strides=2, padding="same", name="conv1")
        self.conv2 = keras.layers.Conv2D(32, 4, strides=2, padding="same", name="conv2")
        self.flatten = keras.layers.Flatten(name="flatten")
        self.logits = keras.layers.Dense(1, name="logits")

    def call(self, images):
        h = self.conv1(images)
        h = tf.nn.leaky_relu(h, alpha=0.2)
        h = self.conv2(h)
        h = tf.nn.leaky_relu(h, alpha=0.2)
        h = self.flatten(h)
        return self.logits(h)
