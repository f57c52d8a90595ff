import tensorflow as tf


class Encoder(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(units, activation="relu", name="hidden")
        self.out = tf.keras.layers.Dense(units, name="out")

    def call(self, x):
        return self.out(self.hidden(x))


def encoder_variables():
    """The variables an optimizer for the encoder alone should update."""
    encoder = Encoder(8, name="encoder")
    encoder(tf.zeros([2, 4]))
    return encoder.trainable_weights


def hidden_variables():
    encoder = Encoder(8, name="encoder")
    encoder(tf.zeros([2, 4]))
    return [v for v in encoder.weights if v.path.startswith("encoder/hidden/")]


if __name__ == "__main__":
    tf.compat.v1.disable_eager_execution()
    print(encoder_variables())
