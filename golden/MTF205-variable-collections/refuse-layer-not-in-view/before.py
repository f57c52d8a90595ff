import tensorflow as tf


def generator_step(generator, optimizer, noise):
    """The layer arrives as an argument: its name is not known here."""
    with tf.GradientTape() as tape:
        loss = -tf.reduce_mean(generator(noise))
    gen_vars = tf.compat.v1.get_collection(
        tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES, scope="generator"
    )
    optimizer.apply_gradients(zip(tape.gradient(loss, gen_vars), gen_vars))
