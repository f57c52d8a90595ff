import tensorflow as tf

# Module-level state, not attributes of a layer: nothing for this rule to track.
global_step = tf.Variable(0, trainable=False, name="global_step")
running_loss = tf.Variable(initial_value=tf.constant([0.0]), name="running_loss")
offset = tf.Variable(1.0, trainable=True)


def train_step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(x - offset)
    grads = tape.gradient(loss, [offset])
    offset.assign_sub(0.01 * grads[0])
    running_loss.assign([loss])
    global_step.assign_add(1)
    return loss
