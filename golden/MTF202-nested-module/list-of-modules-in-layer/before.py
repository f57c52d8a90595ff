import tensorflow as tf


class Expert(tf.Module):
    def __init__(self, size):
        super().__init__()
        self.kernel = tf.Variable(tf.random.truncated_normal([size, size], stddev=0.1))

    def __call__(self, x):
        return tf.matmul(x, self.kernel)


class MixtureOfExperts(tf.keras.layers.Layer):
    def __init__(self, size, experts=3, **kwargs):
        super().__init__(**kwargs)
        self.experts = [Expert(size) for _ in range(experts)]

    def call(self, inputs):
        return tf.add_n([expert(inputs) for expert in self.experts]) / len(self.experts)
