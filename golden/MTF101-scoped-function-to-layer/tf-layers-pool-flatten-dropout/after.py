import keras
import tensorflow as tf


class Lenet(keras.layers.Layer):
    """LeNet-5 with unnamed tf.layers, numbered by TF1 in creation order."""

    def __init__(self, num_classes, dropout_rate=0.5, name="lenet", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        self.conv2d = keras.layers.Conv2D(6, 5, activation=tf.nn.relu, name="conv2d")
        self.max_pooling2d = keras.layers.MaxPooling2D(
            2, strides=2, name="max_pooling2d"
        )
        self.conv2d_1 = keras.layers.Conv2D(
            16, 5, activation=tf.nn.relu, name="conv2d_1"
        )
        self.max_pooling2d_1 = keras.layers.MaxPooling2D(
            2, strides=2, name="max_pooling2d_1"
        )
        self.flatten = keras.layers.Flatten(name="flatten")
        self.dense = keras.layers.Dense(120, activation=tf.nn.relu, name="dense")
        self.dropout = keras.layers.Dropout(dropout_rate, name="dropout")
        self.dense_1 = keras.layers.Dense(num_classes, name="dense_1")

    def call(self, images, training=False):
        x = self.conv2d(images)
        x = self.max_pooling2d(x)
        x = self.conv2d_1(x)
        x = self.max_pooling2d_1(x)
        x = self.flatten(x)
        x = self.dense(x)
        x = self.dropout(x, training=training)
        return self.dense_1(x)
