import tensorflow as tf


def tied_output_logits(h, scope="model"):
    """Output logits tied to the input embedding: get_variable without a shape
    fetches model/wte, which the embedding function created. The variable belongs
    to another function: not converted."""
    with tf.variable_scope(scope, reuse=True):
        wte = tf.get_variable("wte")
        return tf.matmul(h, wte, transpose_b=True)
