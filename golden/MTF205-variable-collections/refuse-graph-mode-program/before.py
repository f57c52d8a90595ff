import tensorflow as tf

tf.compat.v1.disable_eager_execution()  # Necessary for v1 compatibility

with tf.compat.v1.variable_scope("my_layer"):
    w = tf.compat.v1.get_variable("weights", shape=(10, 5), initializer=tf.compat.v1.zeros_initializer())
    b = tf.compat.v1.get_variable("biases", shape=(5,), initializer=tf.compat.v1.zeros_initializer())

# Accessing variables using tf.compat.v1.get_variable
with tf.compat.v1.variable_scope("my_layer", reuse=True):
    retrieved_w = tf.compat.v1.get_variable("weights")
    retrieved_b = tf.compat.v1.get_variable("biases")

# To get all variables in the scope:
all_variables = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES, scope="my_layer")
print("All variables in my_layer scope:", all_variables)
