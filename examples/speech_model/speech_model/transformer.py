"""A small transformer encoder over frames, in the TensorFlow 1 style of 2019.

Helpers take a scope name, create their variables with tf.get_variable, and are
composed by calling one another inside nested scopes (h0, h1, ...).
"""

import tensorflow as tf


def shape_list(x):
    """Static dimensions where known, dynamic ones otherwise."""
    static = x.shape.as_list()
    dynamic = tf.shape(x)
    return [dynamic[i] if s is None else s for i, s in enumerate(static)]


def norm(x, scope="ln_1", epsilon=1e-5):
    with tf.variable_scope(scope):
        n_state = x.shape[-1].value
        g = tf.get_variable("g", [n_state], initializer=tf.constant_initializer(1))
        b = tf.get_variable("b", [n_state], initializer=tf.constant_initializer(0))
        u = tf.reduce_mean(x, axis=-1, keepdims=True)
        s = tf.reduce_mean(tf.square(x - u), axis=-1, keepdims=True)
        x = (x - u) * tf.rsqrt(s + epsilon)
        return x * g + b


def conv1d(x, nf, scope="conv1d", w_init_stdev=0.02):
    with tf.variable_scope(scope):
        *start, nx = shape_list(x)
        w = tf.get_variable(
            "w", [1, nx, nf],
            initializer=tf.random_normal_initializer(stddev=w_init_stdev),
        )
        b = tf.get_variable("b", [nf], initializer=tf.constant_initializer(0))
        c = tf.reshape(tf.matmul(tf.reshape(x, [-1, nx]), tf.reshape(w, [-1, nf])) + b, start + [nf])
        return c


def attention(x, n_state, n_head, scope="attn"):
    with tf.variable_scope(scope):
        c = conv1d(x, n_state * 3, "c_attn")
        q, k, v = tf.split(c, 3, axis=2)
        batch, frames = shape_list(x)[:2]

        def split_heads(t):
            t = tf.reshape(t, [batch, frames, n_head, n_state // n_head])
            return tf.transpose(t, [0, 2, 1, 3])

        w = tf.matmul(split_heads(q), split_heads(k), transpose_b=True)
        w = tf.nn.softmax(w * tf.rsqrt(tf.cast(n_state // n_head, w.dtype)))
        a = tf.transpose(tf.matmul(w, split_heads(v)), [0, 2, 1, 3])
        a = tf.reshape(a, [batch, frames, n_state])
        return conv1d(a, n_state, "c_proj")


def mlp(x, n_state, scope="mlp"):
    with tf.variable_scope(scope):
        nx = x.shape[-1].value
        h = tf.nn.relu(conv1d(x, n_state, "c_fc"))
        return conv1d(h, nx, "c_proj")


def block(x, n_head, scope="block"):
    with tf.variable_scope(scope):
        nx = x.shape[-1].value
        a = attention(norm(x, "ln_1"), nx, n_head)
        x = x + a
        m = mlp(norm(x, "ln_2"), nx * 4)
        return x + m


def encoder(frames, n_layer=2, n_head=4, scope="encoder"):
    with tf.variable_scope(scope):
        h = frames
        for layer in range(n_layer):
            h = block(h, n_head, "h%d" % layer)
        return norm(h, "ln_f")
