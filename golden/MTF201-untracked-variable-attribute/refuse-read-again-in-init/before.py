import tensorflow as tf


class Prototypes(tf.keras.layers.Layer):
    """Distances from each input to a set of learned prototype vectors."""

    def __init__(self, num_prototypes, dim, **kwargs):
        super().__init__(**kwargs)
        self.prototypes = tf.Variable(tf.random.uniform([num_prototypes, dim]), name="prototypes")
        # Read right after creation: moving the variable to build() would break this line.
        self.initial_norm = float(tf.norm(self.prototypes))

    def call(self, inputs):
        diff = inputs[:, None, :] - self.prototypes[None, :, :]
        return tf.norm(diff, axis=-1) / self.initial_norm
