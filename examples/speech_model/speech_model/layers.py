"""Custom Keras layers of the keyword-spotting model."""

import tensorflow as tf


class FrameNormalization(tf.keras.layers.Layer):
    """Per-channel affine normalisation of log-mel frames."""

    def __init__(self, channels, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.channels = channels
        self.epsilon = epsilon
        # Learned per-channel gain and offset.
        self.gain = tf.Variable(tf.ones([channels]), name="gain")
        self.offset = tf.Variable(tf.zeros([channels]), name="offset")

    def call(self, frames):
        mean, variance = tf.nn.moments(frames, axes=[1], keepdims=True)
        normalized = (frames - mean) * tf.math.rsqrt(variance + self.epsilon)
        return normalized * self.gain + self.offset


class AttentionPooling(tf.keras.layers.Layer):
    """Attention-weighted average over time."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.temperature = tf.Variable(1.0, trainable=False, name="temperature")

    def build(self, input_shape):
        self.query = tf.Variable(
            tf.random.truncated_normal([input_shape[-1], 1], stddev=0.02),
            name="query",
        )

    def call(self, frames):
        scores = tf.matmul(frames, self.query) / self.temperature
        weights = tf.nn.softmax(scores, axis=1)
        return tf.reduce_sum(weights * frames, axis=1)


class StepCounter(tf.keras.layers.Layer):
    """Counts calls; the count is restored from checkpoints."""

    def __init__(self, initial_count, **kwargs):
        super().__init__(**kwargs)
        # The initial count comes from the caller, so its shape is not known here.
        self.count = tf.Variable(initial_count, trainable=False)

    def call(self, inputs):
        self.count.assign_add(1)
        return inputs
