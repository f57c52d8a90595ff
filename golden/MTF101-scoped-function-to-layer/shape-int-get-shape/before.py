import tensorflow as tf


def attention_pooling(states, attention_size, scope="attention"):
    """Pools RNN outputs [batch, time, hidden] into [batch, hidden] with additive
    attention over the time steps."""
    with tf.variable_scope(scope):
        hidden_size = int(states.get_shape()[2])
        w_omega = tf.get_variable("w_omega", [hidden_size, attention_size],
                                  initializer=tf.random_normal_initializer(stddev=0.1))
        b_omega = tf.get_variable("b_omega", [attention_size],
                                  initializer=tf.random_normal_initializer(stddev=0.1))
        u_omega = tf.get_variable("u_omega", [attention_size],
                                  initializer=tf.random_normal_initializer(stddev=0.1))
        v = tf.tanh(tf.tensordot(states, w_omega, axes=1) + b_omega)
        alphas = tf.nn.softmax(tf.tensordot(v, u_omega, axes=1))
        return tf.reduce_sum(states * tf.expand_dims(alphas, -1), 1)
