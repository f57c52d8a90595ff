import tensorflow as tf
from tensorflow import keras


class IncorrectLayer(keras.layers.Layer):
    """Variables made inside a Lambda's function are MTF203's business."""

    def __init__(self, units, **kwargs):
        super(IncorrectLayer, self).__init__(**kwargs)
        self.units = units

    def call(self, inputs):
        def lambda_function(x):
            weight = tf.Variable(
                initial_value=tf.random.normal(shape=(x.shape[-1], self.units)), trainable=True
            )
            return tf.matmul(x, weight)

        return keras.layers.Lambda(lambda_function)(inputs)
