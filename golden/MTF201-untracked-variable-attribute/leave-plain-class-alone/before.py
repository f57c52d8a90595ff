import tensorflow as tf


class EmaTracker:
    """Exponential moving average of a metric; a plain class, not a layer."""

    def __init__(self, decay=0.9):
        self.decay = decay
        self.value = tf.Variable(0.0, trainable=False, name="ema")

    def update(self, x):
        self.value.assign(self.decay * self.value + (1.0 - self.decay) * x)
        return self.value
