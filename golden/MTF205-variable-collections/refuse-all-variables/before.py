import tensorflow as tf


def train_step(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    variables = tf.compat.v1.trainable_variables()
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return loss
