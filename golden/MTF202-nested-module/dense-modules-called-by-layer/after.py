import keras
import tensorflow as tf


class Dense(tf.keras.layers.Layer):
    def __init__(self, in_features, out_features, name=None):
        super().__init__(name=name)
        self.in_features = in_features
        self.out_features = out_features
        self.build()

    def build(self, input_shape=None):
        self.w = self.add_weight(
            name="w",
            shape=[self.in_features, self.out_features],
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )
        self.b = self.add_weight(
            name="b", shape=[self.out_features], initializer="zeros"
        )

    def call(self, x):
        y = tf.matmul(x, self.w) + self.b
        return tf.nn.relu(y)


class TwoLayerHead(tf.keras.layers.Layer):
    def __init__(self, hidden, **kwargs):
        super().__init__(**kwargs)
        self.hidden = Dense(in_features=64, out_features=hidden)
        self.out = Dense(in_features=hidden, out_features=10)

    def call(self, inputs):
        return self.out(self.hidden(inputs))
