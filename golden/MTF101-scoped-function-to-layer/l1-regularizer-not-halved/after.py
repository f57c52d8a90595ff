import keras
import tensorflow as tf


class SparseCode(keras.layers.Layer):
    """Dictionary projection whose atoms an L1 penalty keeps sparse."""

    def __init__(self, n_atoms, sparsity=1e-3, name="dictionary", **kwargs):
        super().__init__(name=name, **kwargs)
        self.n_atoms = n_atoms
        self.sparsity = sparsity

    def build(self, x_shape):
        self.atoms = self.add_weight(
            name="atoms",
            shape=[x_shape[-1], self.n_atoms],
            initializer=keras.initializers.RandomNormal(stddev=0.1),
            regularizer=keras.regularizers.L1(self.sparsity),
        )

    def call(self, x):
        return tf.nn.relu(tf.matmul(x, self.atoms))
