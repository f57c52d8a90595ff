import keras
import tensorflow as tf


class ClassifierHead(keras.layers.Layer):
    """Three unnamed dense layers: TF1 names them dense, dense_1 and dense_2
    (numbered per variable scope, in the order they are created)."""

    def __init__(self, num_classes, name="head", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_classes = num_classes
        self.dense = keras.layers.Dense(64, activation=tf.nn.relu, name="dense")
        self.dense_1 = keras.layers.Dense(32, activation=tf.nn.relu, name="dense_1")
        self.dense_2 = keras.layers.Dense(num_classes, name="dense_2")

    def call(self, features):
        h = self.dense(features)
        h = self.dense_1(h)
        return self.dense_2(h)
