import tensorflow as tf


def attn(x, n_state, past=None, scope="attn"):
    """Single-head attention that can continue from cached keys and values.

    past: [batch, 2, past_length, n_state]; returns (output, present)."""
    with tf.variable_scope(scope):
        nx = x.get_shape()[-1].value
        w_qkv = tf.get_variable("c_attn", [nx, 3 * n_state],
                                initializer=tf.random_normal_initializer(stddev=0.02))
        q, k, v = tf.split(tf.tensordot(x, w_qkv, axes=1), 3, axis=2)
        present = tf.stack([k, v], axis=1)
        if past is not None:
            past_k, past_v = tf.unstack(past, axis=1)
            k = tf.concat([past_k, k], axis=-2)
            v = tf.concat([past_v, v], axis=-2)
        probs = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) * n_state ** -0.5)
        return tf.matmul(probs, v), present
