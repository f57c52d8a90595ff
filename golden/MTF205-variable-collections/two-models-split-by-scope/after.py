import tensorflow as tf


def gan_variable_lists():
    """A GAN's two optimizers each take their own network's variables."""
    generator = tf.keras.layers.Dense(8, name="generator")
    discriminator = tf.keras.layers.Dense(1, name="discriminator")
    discriminator(generator(tf.zeros([2, 4])))
    gen_vars = generator.trainable_weights
    disc_vars = discriminator.trainable_weights
    return gen_vars + disc_vars
