import tensorflow as tf


def ema_getter(ema):
    def getter(getter, name, *args, **kwargs):
        var = getter(name, *args, **kwargs)
        return ema.average(var) or var
    return getter


def evaluation_logits(x, num_classes, ema, scope="classifier"):
    """Reads the exponential moving averages instead of the variables, through a
    custom getter: what get_variable returns is not a plain variable: not converted."""
    with tf.variable_scope(scope, reuse=True, custom_getter=ema_getter(ema)):
        w = tf.get_variable("w", [x.get_shape()[-1], num_classes])
        b = tf.get_variable("b", [num_classes])
        return tf.matmul(x, w) + b
