import numpy as np
import tensorflow as tf


def equalized_dense(x, units, gain=np.sqrt(2.0), scope="dense"):
    """Dense layer with the equalized learning rate of progressive GANs: the weights
    are drawn from N(0, 1) and scaled at run time by He's constant."""
    with tf.variable_scope(scope):
        fan_in = x.shape[1].value
        w = tf.get_variable("weight", [fan_in, units],
                            initializer=tf.random_normal_initializer())
        b = tf.get_variable("bias", [units], initializer=tf.zeros_initializer())
        return tf.matmul(x, w * (gain / np.sqrt(fan_in))) + b
