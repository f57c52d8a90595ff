import keras
import tensorflow as tf


class ConvBnRelu(keras.layers.Layer):
    """ResNet-style convolution, batch normalization and ReLU."""

    def __init__(self, filters, kernel_size, strides, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.conv2d = keras.layers.Conv2D(
            filters,
            kernel_size,
            strides=strides,
            padding="same",
            use_bias=False,
            kernel_initializer="variance_scaling",
            name="conv2d",
        )
        self.batch_normalization = keras.layers.BatchNormalization(
            momentum=0.997, epsilon=1e-5, name="batch_normalization"
        )

    def call(self, x, training=None):
        x = self.conv2d(x)
        x = self.batch_normalization(x, training=training)
        return tf.nn.relu(x)
