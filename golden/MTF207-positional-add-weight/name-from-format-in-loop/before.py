import tensorflow as tf


class MultiHeadScale(tf.keras.layers.Layer):
    """One learned scale per head, named head_0, head_1, ..."""

    def __init__(self, heads, **kwargs):
        super().__init__(**kwargs)
        self.heads = heads

    def build(self, input_shape):
        self.scales = [
            self.add_weight("head_{}".format(i), (input_shape[-1],), initializer="ones")
            for i in range(self.heads)
        ]

    def call(self, inputs):
        return tf.add_n([inputs * scale for scale in self.scales])
