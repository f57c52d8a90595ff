import tensorflow as tf

tf.compat.v1.disable_eager_execution()


def build_encoder(x):
    encoder = tf.keras.layers.Dense(8, name="encoder")
    with tf.compat.v1.variable_scope("encoder"):
        scale = tf.compat.v1.get_variable("scale", [8], initializer=tf.compat.v1.ones_initializer())
    y = encoder(x) * scale
    train_vars = tf.compat.v1.trainable_variables(scope="encoder")
    return y, train_vars
