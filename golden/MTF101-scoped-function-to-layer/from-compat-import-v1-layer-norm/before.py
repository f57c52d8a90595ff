from tensorflow.compat import v1


def layer_norm(x, scope="ln", epsilon=1e-5):
    """Normalizes each position over its features, then scales and shifts."""
    with v1.variable_scope(scope):
        n_state = x.shape[-1]
        gamma = v1.get_variable("gamma", [n_state], initializer=v1.ones_initializer())
        beta = v1.get_variable("beta", [n_state], initializer=v1.zeros_initializer())
        mean, variance = v1.nn.moments(x, axes=[-1], keep_dims=True)
        x = (x - mean) * v1.rsqrt(variance + epsilon)
        return x * gamma + beta
