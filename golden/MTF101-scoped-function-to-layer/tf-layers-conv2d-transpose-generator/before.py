import tensorflow as tf


def generator(z, training=False):
    """DCGAN generator: project and reshape the noise, then upsample twice."""
    with tf.variable_scope("generator"):
        h = tf.layers.dense(z, 4 * 4 * 32, name="project")
        h = tf.reshape(h, [-1, 4, 4, 32])
        h = tf.nn.relu(tf.layers.batch_normalization(h, training=training, name="bn0"))
        h = tf.layers.conv2d_transpose(h, 16, 5, strides=2, padding="same", name="deconv1")
        h = tf.nn.relu(tf.layers.batch_normalization(h, training=training, name="bn1"))
        h = tf.layers.conv2d_transpose(h, 3, 5, strides=2, padding="same", name="deconv2")
        return tf.tanh(h)
