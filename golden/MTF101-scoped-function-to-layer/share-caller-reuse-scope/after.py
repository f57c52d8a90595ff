import keras
import tensorflow as tf


class TowerLogits(keras.layers.Layer):
    """The model of one GPU tower. The training script builds a tower per GPU and
    calls tf.get_variable_scope().reuse_variables() after the first one."""

    def __init__(self, num_classes, name="model", **kwargs):
        super().__init__(name=name, **kwargs)
        self.num_classes = num_classes
        self.hidden = keras.layers.Dense(64, activation=tf.nn.relu, name="hidden")
        self.logits = keras.layers.Dense(num_classes, name="logits")

    def call(self, features):
        hidden = self.hidden(features)
        return self.logits(hidden)
