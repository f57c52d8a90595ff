import tensorflow as tf


def gan_variable_lists():
    """A GAN's two optimizers each take their own network's variables."""
    generator = tf.keras.layers.Dense(8, name="generator")
    discriminator = tf.keras.layers.Dense(1, name="discriminator")
    discriminator(generator(tf.zeros([2, 4])))
    gen_vars = tf.compat.v1.get_collection(
        tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES, scope="generator"
    )
    disc_vars = tf.compat.v1.get_collection(
        tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES, scope="discriminator"
    )
    return gen_vars + disc_vars
