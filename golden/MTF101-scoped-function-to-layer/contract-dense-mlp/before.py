import tensorflow as tf

def dense(x, units, scope="dense", stddev=0.02):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1], units],
                            initializer=tf.random_normal_initializer(stddev=stddev))
        b = tf.get_variable("b", [units], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b

def mlp(x, hidden, out, scope="mlp", reuse=False):
    with tf.variable_scope(scope, reuse=reuse):
        h = tf.nn.relu(dense(x, hidden, "fc1"))
        return dense(h, out, "fc2")
