import tensorflow as tf


def lenet(images, num_classes, dropout_rate=0.5, training=False):
    """LeNet-5 with unnamed tf.layers, numbered by TF1 in creation order."""
    with tf.variable_scope("lenet"):
        x = tf.layers.conv2d(images, 6, 5, activation=tf.nn.relu)
        x = tf.layers.max_pooling2d(x, 2, 2)
        x = tf.layers.conv2d(x, 16, 5, activation=tf.nn.relu)
        x = tf.layers.max_pooling2d(x, 2, 2)
        x = tf.layers.flatten(x)
        x = tf.layers.dense(x, 120, activation=tf.nn.relu)
        x = tf.layers.dropout(x, rate=dropout_rate, training=training)
        return tf.layers.dense(x, num_classes)
