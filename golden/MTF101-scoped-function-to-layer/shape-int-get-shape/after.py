import keras
import tensorflow as tf


class AttentionPooling(keras.layers.Layer):
    """Pools RNN outputs [batch, time, hidden] into [batch, hidden] with additive
    attention over the time steps."""

    def __init__(self, attention_size, name="attention", **kwargs):
        super().__init__(name=name, **kwargs)
        self.attention_size = attention_size

    def build(self, states_shape):
        hidden_size = int(states_shape[2])
        self.w_omega = self.add_weight(
            name="w_omega",
            shape=[hidden_size, self.attention_size],
            initializer=keras.initializers.RandomNormal(stddev=0.1),
        )
        self.b_omega = self.add_weight(
            name="b_omega",
            shape=[self.attention_size],
            initializer=keras.initializers.RandomNormal(stddev=0.1),
        )
        self.u_omega = self.add_weight(
            name="u_omega",
            shape=[self.attention_size],
            initializer=keras.initializers.RandomNormal(stddev=0.1),
        )

    def call(self, states):
        v = tf.tanh(tf.tensordot(states, self.w_omega, axes=1) + self.b_omega)
        alphas = tf.nn.softmax(tf.tensordot(v, self.u_omega, axes=1))
        return tf.reduce_sum(states * tf.expand_dims(alphas, -1), 1)
