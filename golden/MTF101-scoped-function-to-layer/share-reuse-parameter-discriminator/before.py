import tensorflow as tf


def discriminator(images, reuse=False):
    """DCGAN discriminator: the training script calls it on real images, then on
    generated ones with reuse=True, so both calls share one set of variables."""
    with tf.variable_scope("discriminator", reuse=reuse):
        h = tf.layers.conv2d(images, 16, 4, strides=2, padding="same", name="conv1")
        h = tf.nn.leaky_relu(h, alpha=0.2)
        h = tf.layers.conv2d(h, 32, 4, strides=2, padding="same", name="conv2")
        h = tf.nn.leaky_relu(h, alpha=0.2)
        h = tf.layers.flatten(h)
        return tf.layers.dense(h, 1, name="logits")
