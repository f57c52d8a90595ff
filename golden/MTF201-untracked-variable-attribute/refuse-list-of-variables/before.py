import tensorflow as tf


class MultiHeadProjection(tf.keras.layers.Layer):
    def __init__(self, dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.heads = [
            tf.Variable(tf.random.normal([dim, dim], stddev=0.02), name=f"head_{i}")
            for i in range(num_heads)
        ]

    def call(self, inputs):
        return tf.stack([tf.matmul(inputs, w) for w in self.heads], axis=1)
