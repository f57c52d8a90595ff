import tensorflow as tf


def sparse_code(x, n_atoms, sparsity=1e-3, scope="dictionary"):
    """Dictionary projection whose atoms an L1 penalty keeps sparse."""
    with tf.variable_scope(scope):
        atoms = tf.get_variable(
            "atoms", [x.get_shape()[-1], n_atoms],
            initializer=tf.random_normal_initializer(stddev=0.1),
            regularizer=tf.contrib.layers.l1_regularizer(sparsity))
        return tf.nn.relu(tf.matmul(x, atoms))
