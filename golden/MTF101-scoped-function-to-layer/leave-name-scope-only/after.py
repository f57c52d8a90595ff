import tensorflow as tf


def softmax_loss(logits, labels, scope="loss"):
    """Only a name scope and no variables: there is no layer to make."""
    with tf.name_scope(scope):
        xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                              logits=logits)
        loss = tf.reduce_mean(xent)
        tf.summary.scalar("loss", loss)
        return loss
