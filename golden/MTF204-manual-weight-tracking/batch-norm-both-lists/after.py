import tensorflow as tf


class ConvBlock(tf.keras.layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.conv = tf.keras.layers.Conv2D(filters, 3, padding="same")
        self.norm = tf.keras.layers.BatchNormalization()

    def build(self, input_shape):
        self.norm.build(self.conv.compute_output_shape(input_shape))

    def call(self, inputs, training=False):
        return tf.nn.relu(self.norm(self.conv(inputs), training=training))
