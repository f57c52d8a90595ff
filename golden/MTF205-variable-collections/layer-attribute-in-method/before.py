import tensorflow as tf


class Trainer:
    """Keeps the model and picks the variables its optimizer updates."""

    def __init__(self):
        self.encoder = tf.keras.layers.Dense(8, name="encoder")
        self.head = tf.keras.layers.Dense(2, name="head")

    def run(self, x):
        return self.head(self.encoder(x))

    def head_variables(self):
        return tf.compat.v1.trainable_variables("head")


def head_variables():
    trainer = Trainer()
    trainer.run(tf.zeros([3, 5]))
    return trainer.head_variables()
