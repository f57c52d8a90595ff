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

#: API -> keyword arguments whose meaning is the same in TF1 and TF2.
#: Positional arguments of these APIs mean the same in both.
SAME_IN_TF1_AND_TF2: dict[str, frozenset[str]] = {
    name: frozenset(keywords.split())
    for name, keywords in {
        "matmul": "transpose_a transpose_b adjoint_a adjoint_b a_is_sparse b_is_sparse name",
        "add": "name",
        "subtract": "name",
        "multiply": "name",
        "maximum": "name",
        "minimum": "name",
        "square": "name",
        "sqrt": "name",
        "rsqrt": "name",
        "exp": "name",
        "log": "name",
        "abs": "name",
        "pow": "name",
        "tanh": "name",
        "sigmoid": "name",
        "sign": "name",
        "einsum": "name",
        "reshape": "name",
        "transpose": "perm conjugate name",
        "concat": "axis name",
        "stack": "axis name",
        "unstack": "num axis name",
        "split": "num_or_size_splits axis num name",
        "squeeze": "axis name",
        "expand_dims": "axis name",
        "tile": "name",
        "gather": "name",
        "identity": "name",
        "cast": "dtype name",
        "shape": "name",
        "range": "name",
        "ones_like": "dtype name",
        "zeros_like": "dtype name",
        "where": "name",
        "clip_by_value": "name",
        "nn.relu": "name",
        "nn.relu6": "name",
        "nn.elu": "name",
        "nn.selu": "name",
        "nn.tanh": "name",
        "nn.sigmoid": "name",
        "nn.softplus": "name",
        "nn.bias_add": "data_format name",
        "nn.l2_loss": "name",
        "nn.sigmoid_cross_entropy_with_logits": "labels logits name",
        "math.tanh": "name",
        "math.sigmoid": "name",
        "math.exp": "name",
        "math.log": "name",
        "math.sqrt": "name",
        "math.rsqrt": "name",
        "math.square": "name",
        "math.pow": "name",
        "math.erf": "name",
    }.items()
}


def tf2_spelling(api: str, keywords: list[str]) -> str:
    """``api`` (a TF1 name such as ``nn.relu``) as it must be written for TF2:
    itself when it means the same there, else ``compat.v1.<api>``."""
    safe = SAME_IN_TF1_AND_TF2.get(api)
    if safe is not None and all(keyword in safe for keyword in keywords):
        return api
    return f"compat.v1.{api}"
