import tensorflow as tf


class TiedOutput(tf.keras.layers.Layer):
    """Logits from a projection whose kernel and bias are listed one by one."""

    def __init__(self, vocab_size, **kwargs):
        super().__init__(**kwargs)
        self.proj = tf.keras.layers.Dense(vocab_size)

    def build(self, input_shape):
        self.proj.build(input_shape)
        self._trainable_weights.append(self.proj.kernel)
        self._trainable_weights.append(self.proj.bias)

    def call(self, hidden):
        return tf.nn.log_softmax(self.proj(hidden))
