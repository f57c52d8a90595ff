import tensorflow as tf


class ScaledProjection(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[-1], self.units), initializer="glorot_uniform"
        )
        super().build(input_shape)

    def call(self, inputs):
        outputs = tf.matmul(inputs, self.kernel)
        if not hasattr(self, "scale"):
            self.scale = tf.Variable(tf.fill([self.units], 0.5), name="scale")
        return outputs * self.scale
