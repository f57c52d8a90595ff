import tensorflow as tf


class LinearWarmup(tf.keras.layers.Layer):
    """Ramps its input from 0 to full scale over the first `warmup_steps` calls."""

    def __init__(self, warmup_steps=100, **kwargs):
        super().__init__(**kwargs)
        self.warmup_steps = warmup_steps

    def build(self, input_shape):
        self.step = self.add_weight(
            name="step", shape=(), initializer="zeros", dtype="int32", trainable=False
        )

    def call(self, inputs):
        self.step.assign_add(1)
        ramp = tf.minimum(1.0, tf.cast(self.step, tf.float32) / self.warmup_steps)
        return inputs * ramp
