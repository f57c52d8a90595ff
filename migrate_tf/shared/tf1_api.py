"""TensorFlow 1 calls inside code that will run under TensorFlow 2.

A converted function body runs in a Keras 3 layer, under TensorFlow 2. In a file
written for TensorFlow 1 (``import tensorflow as tf`` with ``tf.get_variable``),
``tf.X`` meant TensorFlow 1's ``X``, which TensorFlow 2 may have removed
(``tf.random_normal``) or changed (``tf.nn.dropout(x, keep_prob)`` became
``tf.nn.dropout(x, rate)``: the same call now drops the complement!).

:func:`tf2_spelling` keeps ``tf.X`` only for APIs whose TF1 and TF2 versions take
the same arguments with the same meaning (the table below, with the keyword
arguments that are safe), and otherwise spells the call ``tf.compat.v1.X``, which
is TensorFlow 1's function and runs eagerly in a Keras 3 layer.
"""

from __future__ import annotations

#: API -> (how many leading positional arguments mean the same in TF1 and TF2,
#: the keyword arguments that mean the same in both).
_TABLE = {
    "matmul": (2, "transpose_a transpose_b adjoint_a adjoint_b a_is_sparse b_is_sparse name"),
    "add": (2, "name"),
    "subtract": (2, "name"),
    "multiply": (2, "name"),
    "maximum": (2, "name"),
    "minimum": (2, "name"),
    "square": (1, "name"),
    "sqrt": (1, "name"),
    "rsqrt": (1, "name"),
    "exp": (1, "name"),
    "log": (1, "name"),
    "abs": (1, "name"),
    "pow": (2, "name"),
    "tanh": (1, "name"),
    "sigmoid": (1, "name"),
    "sign": (1, "name"),
    "einsum": (99, "name"),
    "reshape": (2, "name"),
    "transpose": (2, "perm conjugate name"),
    "concat": (2, "axis name"),
    "stack": (2, "axis name"),
    "unstack": (3, "num axis name"),
    "split": (3, "num_or_size_splits axis num name"),
    "squeeze": (2, "axis name"),
    "expand_dims": (2, "axis name"),
    "tile": (2, "name"),
    "gather": (1, "name"),
    "identity": (1, "name"),
    "cast": (2, "dtype name"),
    "shape": (1, "name"),
    "range": (3, "name"),
    "ones_like": (2, "dtype name"),
    "zeros_like": (2, "dtype name"),
    "clip_by_value": (3, "name"),
    "tensordot": (3, "axes name"),
    "reduce_mean": (3, "axis keepdims name"),
    "reduce_sum": (3, "axis keepdims name"),
    "reduce_max": (3, "axis keepdims name"),
    "reduce_min": (3, "axis keepdims name"),
    "nn.relu": (1, "name"),
    "nn.relu6": (1, "name"),
    "nn.elu": (1, "name"),
    "nn.selu": (1, "name"),
    "nn.tanh": (1, "name"),
    "nn.sigmoid": (1, "name"),
    "nn.softplus": (1, "name"),
    "nn.leaky_relu": (2, "alpha name"),
    "nn.softmax": (1, "axis name"),
    "nn.bias_add": (2, "data_format name"),
    "nn.l2_loss": (1, "name"),
    "nn.log_softmax": (1, "axis name"),
    "nn.l2_normalize": (3, "axis epsilon name"),
    "argmax": (2, "axis output_type name"),
    "cumsum": (2, "axis exclusive reverse name"),
    "stop_gradient": (1, "name"),
    "nn.embedding_lookup": (2, "params ids max_norm name"),
    "nn.conv1d": (4, "stride padding data_format dilations name"),
    "nn.conv2d": (4, "strides padding data_format dilations name"),
    "nn.max_pool": (4, "ksize strides padding data_format name"),
    "nn.avg_pool": (4, "ksize strides padding data_format name"),
    "nn.moments": (2, "axes shift keepdims name"),
    "nn.sigmoid_cross_entropy_with_logits": (0, "labels logits name"),
    "math.tanh": (1, "name"),
    "math.sigmoid": (1, "name"),
    "math.exp": (1, "name"),
    "math.log": (1, "name"),
    "math.sqrt": (1, "name"),
    "math.rsqrt": (1, "name"),
    "math.square": (1, "name"),
    "math.pow": (2, "name"),
    "math.erf": (1, "name"),
}
#: TF1 top-level names that TF2 only has under another module.
MOVED_IN_TF2 = {"rsqrt": "math.rsqrt", "log": "math.log"}

SAME_IN_TF1_AND_TF2: dict[str, tuple[int, frozenset[str]]] = {
    name: (positional, frozenset(keywords.split()))
    for name, (positional, keywords) in _TABLE.items()
}


def tf2_spelling(api: str, positional: int, keywords: list[str]) -> str:
    """``api`` (a TF1 name such as ``nn.relu``) as it must be written for TF2:
    itself when a call with ``positional`` positional arguments and ``keywords``
    means the same there, else ``compat.v1.<api>``."""
    same = SAME_IN_TF1_AND_TF2.get(api)
    if same is not None:
        limit, safe = same
        if positional <= limit and all(keyword in safe for keyword in keywords):
            return MOVED_IN_TF2.get(api, api)
    return f"compat.v1.{api}"
