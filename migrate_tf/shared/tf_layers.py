"""``tf.layers.*`` functions and the Keras 3 layers that replace them.

Each TF1 function (``tf.layers.dense``, ``tf.compat.v1.layers.conv2d``, ...) creates
a layer, calls it once and discards it. In a Keras 3 layer class the same layer is
created once, in ``__init__``, and called in ``call``. The table says which TF1
arguments configure the layer (and how their values map: initializers and
regularizers keep TF1's meaning), which belong to the call (``inputs``,
``training``), which do not change anything, and which cannot be carried.

Variable names match: ``dense/kernel``, ``dense/bias``; ``conv2d/kernel``;
``batch_normalization/gamma``, ``beta``, ``moving_mean``, ``moving_variance``.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from migrate_tf.shared.codegen import code_of
from migrate_tf.shared.imports import ImportIndex
from migrate_tf.shared.initializers import Refusal, bind_arguments, is_none, keras_initializer
from migrate_tf.shared.regularizers import keras_regularizer

_INITIALIZER = "initializer"
_REGULARIZER = "regularizer"
_PLAIN = "plain"


@dataclasses.dataclass(frozen=True)
class LayerSpec:
    keras_class: str
    base_name: str  # TF1's default layer name (`dense`, `conv2d`, ...)
    parameters: tuple[str, ...]  # the TF1 function's parameters, in order
    constructor: dict[str, str]  # TF1 parameter -> how its value maps
    has_training: bool = False
    #: parameters that do not change the computation here
    ignored: tuple[str, ...] = ()
    #: constructor parameters whose Keras name differs
    renamed: dict[str, str] = dataclasses.field(default_factory=dict)
    #: TF1 defaults Keras does not have (Keras requires the argument)
    explicit_defaults: dict[str, str] = dataclasses.field(default_factory=dict)
    #: the Keras constructor's leading parameters, written positionally as people do
    positional: tuple[str, ...] = ()


_DENSE_LIKE = {
    "activation": _PLAIN,
    "use_bias": _PLAIN,
    "kernel_initializer": _INITIALIZER,
    "bias_initializer": _INITIALIZER,
    "kernel_regularizer": _REGULARIZER,
    "bias_regularizer": _REGULARIZER,
    "activity_regularizer": _REGULARIZER,
    "kernel_constraint": _PLAIN,
    "bias_constraint": _PLAIN,
    "trainable": _PLAIN,
}

_CONV_PARAMETERS = (
    "inputs", "filters", "kernel_size", "strides", "padding", "data_format",
    "dilation_rate", "activation", "use_bias", "kernel_initializer",
    "bias_initializer", "kernel_regularizer", "bias_regularizer",
    "activity_regularizer", "kernel_constraint", "bias_constraint", "trainable",
    "name", "reuse",
)
_CONV_CONSTRUCTOR = {
    "filters": _PLAIN,
    "kernel_size": _PLAIN,
    "strides": _PLAIN,
    "padding": _PLAIN,
    "data_format": _PLAIN,
    "dilation_rate": _PLAIN,
    **_DENSE_LIKE,
}

LAYERS: dict[str, LayerSpec] = {
    "dense": LayerSpec(
        "Dense",
        "dense",
        (
            "inputs", "units", "activation", "use_bias", "kernel_initializer",
            "bias_initializer", "kernel_regularizer", "bias_regularizer",
            "activity_regularizer", "kernel_constraint", "bias_constraint",
            "trainable", "name", "reuse",
        ),
        {"units": _PLAIN, **_DENSE_LIKE},
        positional=("units",),
    ),
    "conv1d": LayerSpec(
        "Conv1D", "conv1d", _CONV_PARAMETERS, _CONV_CONSTRUCTOR, positional=("filters", "kernel_size")
    ),
    "conv2d": LayerSpec(
        "Conv2D", "conv2d", _CONV_PARAMETERS, _CONV_CONSTRUCTOR, positional=("filters", "kernel_size")
    ),
    "conv2d_transpose": LayerSpec(
        "Conv2DTranspose",
        "conv2d_transpose",
        tuple(p for p in _CONV_PARAMETERS if p != "dilation_rate"),
        {k: v for k, v in _CONV_CONSTRUCTOR.items() if k != "dilation_rate"},
        positional=("filters", "kernel_size"),
    ),
    "max_pooling2d": LayerSpec(
        "MaxPooling2D",
        "max_pooling2d",
        ("inputs", "pool_size", "strides", "padding", "data_format", "name"),
        {"pool_size": _PLAIN, "strides": _PLAIN, "padding": _PLAIN, "data_format": _PLAIN},
        positional=("pool_size",),
    ),
    "average_pooling2d": LayerSpec(
        "AveragePooling2D",
        "average_pooling2d",
        ("inputs", "pool_size", "strides", "padding", "data_format", "name"),
        {"pool_size": _PLAIN, "strides": _PLAIN, "padding": _PLAIN, "data_format": _PLAIN},
        positional=("pool_size",),
    ),
    "batch_normalization": LayerSpec(
        "BatchNormalization",
        "batch_normalization",
        (
            "inputs", "axis", "momentum", "epsilon", "center", "scale",
            "beta_initializer", "gamma_initializer", "moving_mean_initializer",
            "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
            "beta_constraint", "gamma_constraint", "training", "trainable", "name",
            "reuse", "renorm", "renorm_clipping", "renorm_momentum", "fused",
            "virtual_batch_size", "adjustment",
        ),
        {
            "axis": _PLAIN,
            "momentum": _PLAIN,
            "epsilon": _PLAIN,
            "center": _PLAIN,
            "scale": _PLAIN,
            "beta_initializer": _INITIALIZER,
            "gamma_initializer": _INITIALIZER,
            "moving_mean_initializer": _INITIALIZER,
            "moving_variance_initializer": _INITIALIZER,
            "beta_regularizer": _REGULARIZER,
            "gamma_regularizer": _REGULARIZER,
            "beta_constraint": _PLAIN,
            "gamma_constraint": _PLAIN,
            "trainable": _PLAIN,
        },
        has_training=True,
        ignored=("fused",),
    ),
    "dropout": LayerSpec(
        "Dropout",
        "dropout",
        ("inputs", "rate", "noise_shape", "seed", "training", "name"),
        {"rate": _PLAIN, "noise_shape": _PLAIN, "seed": _PLAIN},
        has_training=True,
        explicit_defaults={"rate": "0.5"},
        positional=("rate",),
    ),
    "flatten": LayerSpec(
        "Flatten",
        "flatten",
        ("inputs", "name", "data_format"),
        {"data_format": _PLAIN},
    ),
}


def layer_spec(call: cst.Call, index: ImportIndex) -> LayerSpec | None:
    """The spec of a ``tf.layers.X(...)`` call, or None when it is not one."""
    canonical = index.canonical(call.func) or ""
    for prefix in ("tf1.layers.", "tf.layers."):
        if canonical.startswith(prefix):
            name = canonical[len(prefix) :]
            spec = LAYERS.get(name)
            if spec is None:
                raise Refusal(f"`{code_of(call.func)}` has no Keras 3 mapping yet")
            return spec
    return None


@dataclasses.dataclass
class LayerCall:
    """One ``tf.layers`` call, split into the layer to create and how to call it."""

    spec: LayerSpec
    name: str | None  # the literal `name=`, None when TF1 numbers it
    constructor: list[tuple[str | None, str]]  # keyword (None: positional) -> source
    inputs: cst.BaseExpression
    training: cst.BaseExpression | None
    reuse: cst.BaseExpression | None


def split_layer_call(
    call: cst.Call,
    spec: LayerSpec,
    index: ImportIndex,
    keras: str,
    known_initializers: frozenset[str] | set[str] = frozenset(),
) -> LayerCall:
    bound = bind_arguments(call, spec.parameters)
    if "inputs" not in bound:
        raise Refusal(f"`{code_of(call.func)}` has no inputs")
    for parameter in ("renorm", "renorm_clipping", "renorm_momentum", "virtual_batch_size", "adjustment"):
        if parameter in bound and not is_none(bound[parameter]) and not (
            isinstance(bound[parameter], cst.Name) and bound[parameter].value == "False"
        ):
            raise Refusal(f"`{code_of(call.func)}(..., {parameter}=...)` is not converted")
    name_node = bound.get("name")
    name = None
    if name_node is not None and not is_none(name_node):
        if not (isinstance(name_node, cst.SimpleString) and isinstance(name_node.evaluated_value, str)):
            raise Refusal(f"the layer name `{code_of(name_node)}` is computed")
        name = name_node.evaluated_value
        if not name or "/" in name:
            raise Refusal(f"the layer name {code_of(name_node)} is empty or contains `/`")
    constructor: list[tuple[str, str]] = []
    for parameter in spec.parameters:
        if parameter not in bound and parameter in spec.explicit_defaults:
            constructor.append((parameter, spec.explicit_defaults[parameter]))
            continue
        if parameter not in bound or parameter not in spec.constructor:
            continue
        value = bound[parameter]
        if is_none(value):
            continue
        kind = spec.constructor[parameter]
        if kind == _INITIALIZER:
            rank = 2 if parameter == "kernel_initializer" else 1
            text = keras_initializer(value, index, keras, known_initializers, rank)
        elif kind == _REGULARIZER:
            text = keras_regularizer(value, index, keras)
        else:
            text = code_of(value)
        constructor.append((spec.renamed.get(parameter, parameter), text))
    # Leading arguments Keras code writes positionally (`Dense(64, ...)`).
    for index, parameter in enumerate(spec.positional):
        if index < len(constructor) and constructor[index][0] == parameter:
            constructor[index] = (None, constructor[index][1])
        else:
            break
    training = bound.get("training") if spec.has_training else None
    return LayerCall(spec, name, constructor, bound["inputs"], training, bound.get("reuse"))
