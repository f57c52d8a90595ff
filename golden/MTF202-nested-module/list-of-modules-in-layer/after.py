import keras
import tensorflow as tf


class Expert(tf.keras.layers.Layer):
    def __init__(self, size):
        super().__init__()
        self.size = size
        self.build()

    def build(self, input_shape=None):
        self.kernel = self.add_weight(
            name="kernel",
            shape=[self.size, self.size],
            initializer=keras.initializers.TruncatedNormal(stddev=0.1),
        )

    def call(self, x):
        return tf.matmul(x, self.kernel)


class MixtureOfExperts(tf.keras.layers.Layer):
    def __init__(self, size, experts=3, **kwargs):
        super().__init__(**kwargs)
        self.experts = [Expert(size) for _ in range(experts)]

    def call(self, inputs):
        return tf.add_n([expert(inputs) for expert in self.experts]) / len(self.experts)
