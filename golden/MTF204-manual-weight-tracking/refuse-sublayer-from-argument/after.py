import tensorflow as tf


class Wrapper(tf.keras.layers.Layer):
    """Wraps any object passed in; it may be a tf.Module, which Keras 3 does not track."""

    def __init__(self, inner, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner

    def build(self, input_shape):
        self._trainable_weights.extend(self.inner.trainable_variables)

    def call(self, inputs):
        return self.inner(inputs)
