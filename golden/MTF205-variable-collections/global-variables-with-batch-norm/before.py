import tensorflow as tf


class ConvBlock(tf.keras.layers.Layer):
    def __init__(self, filters, name="conv_block", **kwargs):
        super().__init__(name=name, **kwargs)
        self.conv = tf.keras.layers.Conv2D(filters, 3, padding="same", name="conv")
        self.norm = tf.keras.layers.BatchNormalization(name="norm")

    def call(self, x, training=False):
        return tf.nn.relu(self.norm(self.conv(x), training=training))


def block_checkpoint_variables():
    """Everything a checkpoint of the block holds, moving statistics included."""
    block = ConvBlock(4)
    block(tf.zeros([1, 6, 6, 3]))
    return tf.compat.v1.global_variables(scope="conv_block")
