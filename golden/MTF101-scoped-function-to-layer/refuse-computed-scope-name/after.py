import tensorflow as tf


def feature_projection(column, units):
    """Scoped by the name of the input tensor, known only when the graph is built:
    the variable names cannot be fixed in a layer: not converted."""
    with tf.variable_scope(column.op.name.replace("/", "_") + "_proj"):
        w = tf.get_variable("w", [column.get_shape()[-1], units])
        b = tf.get_variable("b", [units], initializer=tf.zeros_initializer())
        return tf.matmul(column, w) + b
