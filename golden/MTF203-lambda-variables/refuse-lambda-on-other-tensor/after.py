import tensorflow as tf
from tensorflow import keras


class Pooled(keras.layers.Layer):
    def call(self, inputs):
        def project(x):
            kernel = tf.Variable(tf.zeros([x.shape[-1], 4]), name="kernel")
            return tf.matmul(x, kernel)

        pooled = tf.reduce_mean(inputs, axis=1)
        return keras.layers.Lambda(project)(pooled)
