import tensorflow as tf
from tensorflow.keras.layers import Layer


class LearnedTemperature(Layer):
    """Divides logits by a learned per-class temperature that starts at 0.5."""

    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.temperature = tf.Variable(tf.fill([num_classes], 0.5), name="temperature")

    def call(self, logits):
        return logits / self.temperature
