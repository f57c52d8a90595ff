"""Mapping TF1 weight regularizers to Keras 3 with the same penalty.

``tf.contrib.layers.l2_regularizer(s)`` adds ``s * tf.nn.l2_loss(w)``, that is
``s * sum(w**2) / 2``; ``keras.regularizers.L2(s)`` adds ``s * sum(w**2)``. The
mapping halves the factor. L1 has no such factor. A callable (``lambda w: ...``) is
already a Keras 3 regularizer and is kept as it is.
"""

from __future__ import annotations

import libcst as cst

from migrate_tf.shared.codegen import code_of
from migrate_tf.shared.imports import ImportIndex
from migrate_tf.shared.initializers import Refusal, bind_arguments, literal_number

_L2_NAMES = ("tf1.contrib.layers.l2_regularizer", "tf.contrib.layers.l2_regularizer")
_L1_NAMES = ("tf1.contrib.layers.l1_regularizer", "tf.contrib.layers.l1_regularizer")


def _half(node: cst.BaseExpression) -> str:
    number = literal_number(node)
    if number is not None:
        return repr(number / 2)
    text = code_of(node)
    if not isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        text = f"({text})"
    return f"{text} / 2"


def keras_regularizer(node: cst.BaseExpression, index: ImportIndex, keras: str) -> str:
    """The Keras 3 regularizer (as source text) with the same penalty as ``node``."""
    if isinstance(node, cst.Lambda):
        return code_of(node)
    if isinstance(node, cst.Call):
        canonical = index.canonical(node.func)
        if canonical in _L2_NAMES:
            bound = bind_arguments(node, ("scale", "scope"))
            if "scale" not in bound:
                raise Refusal("`l2_regularizer` without a scale")
            return f"{keras}.regularizers.L2({_half(bound['scale'])})"
        if canonical in _L1_NAMES:
            bound = bind_arguments(node, ("scale", "scope"))
            if "scale" not in bound:
                raise Refusal("`l1_regularizer` without a scale")
            return f"{keras}.regularizers.L1({code_of(bound['scale'])})"
        if canonical is not None and canonical.startswith("keras.regularizers."):
            return code_of(node)
    canonical = index.canonical(node)
    if canonical is not None and canonical.startswith("keras.regularizers."):
        return code_of(node)
    raise Refusal(f"no Keras 3 regularizer is known to match `{code_of(node)}` exactly")
