import tensorflow as tf


def tower_variables(index):
    towers = [tf.keras.layers.Dense(4, name="tower_%d" % i) for i in range(2)]
    for tower in towers:
        tower(tf.zeros([1, 3]))
    return tf.compat.v1.trainable_variables(scope="tower_%d" % index)
