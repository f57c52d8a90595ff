import tensorflow as tf


class ConvBlock(tf.keras.layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.conv = tf.keras.layers.Conv2D(filters, 3, padding="same")
        self.norm = tf.keras.layers.BatchNormalization()

    def build(self, input_shape):
        self.conv.build(input_shape)
        self.norm.build(self.conv.compute_output_shape(input_shape))
        self._trainable_weights.extend(self.conv.trainable_weights)
        self._trainable_weights.extend(self.norm.trainable_weights)
        self._non_trainable_weights.extend(self.norm.non_trainable_weights)

    def call(self, inputs, training=False):
        return tf.nn.relu(self.norm(self.conv(inputs), training=training))
