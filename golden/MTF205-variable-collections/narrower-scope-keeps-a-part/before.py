import tensorflow as tf


class Decoder(tf.keras.layers.Layer):
    def __init__(self, name="decoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.project = tf.keras.layers.Dense(6, name="project")
        self.logits = tf.keras.layers.Dense(3, name="logits")

    def call(self, x):
        return self.logits(tf.nn.relu(self.project(x)))


def fine_tuned_variables():
    """Fine-tune the output projection only."""
    decoder = Decoder()
    decoder(tf.zeros([2, 5]))
    return tf.compat.v1.trainable_variables(scope="decoder/logits")
