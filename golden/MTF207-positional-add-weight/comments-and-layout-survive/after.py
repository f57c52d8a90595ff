import tensorflow as tf


class Affine(tf.keras.layers.Layer):
    def build(self, input_shape):
        features = input_shape[-1]
        self.scale = self.add_weight(
            name="scale",  # multiplies each feature
            shape=[features],
            initializer="ones",
        )
        # The shift starts at zero.
        self.shift = self.add_weight(
            name="shift", shape=[features], initializer="zeros"
        )

    def call(self, inputs):
        return inputs * self.scale + self.shift
