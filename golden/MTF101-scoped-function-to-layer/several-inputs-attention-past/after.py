import keras
import tensorflow as tf


class Attn(keras.layers.Layer):
    """Single-head attention that can continue from cached keys and values.

    past: [batch, 2, past_length, n_state]; returns (output, present)."""

    def __init__(self, n_state, name="attn", **kwargs):
        super().__init__(name=name, **kwargs)
        self.n_state = n_state

    def build(self, x_shape, past_shape=None):
        nx = x_shape[-1]
        self.w_qkv = self.add_weight(
            name="c_attn",
            shape=[nx, 3 * self.n_state],
            initializer=keras.initializers.RandomNormal(stddev=0.02),
        )

    def call(self, x, past=None):
        q, k, v = tf.split(tf.tensordot(x, self.w_qkv, axes=1), 3, axis=2)
        present = tf.stack([k, v], axis=1)
        if past is not None:
            past_k, past_v = tf.unstack(past, axis=1)
            k = tf.concat([past_k, k], axis=-2)
            v = tf.concat([past_v, v], axis=-2)
        probs = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) * self.n_state ** -0.5)
        return tf.matmul(probs, v), present
