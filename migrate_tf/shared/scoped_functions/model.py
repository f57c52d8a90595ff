"""What a TF1 scoped function becomes: the plan of a Keras 3 layer class.

A :class:`LayerPlan` holds what the planner found in one function (its settings,
tensor inputs, variables, sublayers, nested scopes) and what the writer needs to
render the class.
"""

from __future__ import annotations

import dataclasses
import keyword
import re

import libcst as cst

from migrate_tf.shared.walk import answers_per_file, find

from migrate_tf.shared.imports import ImportIndex
from migrate_tf.shared.layers import safe_attribute
from migrate_tf.shared.shapes import bound_names


VARIABLE_SCOPE_PARAMETERS = (
    "name_or_scope",
    "default_name",
    "values",
    "initializer",
    "regularizer",
    "caching_device",
    "partitioner",
    "custom_getter",
    "reuse",
    "dtype",
    "use_resource",
    "constraint",
    "auxiliary_name_scope",
)
GET_VARIABLE_PARAMETERS = (
    "name",
    "shape",
    "dtype",
    "initializer",
    "regularizer",
    "trainable",
    "collections",
    "caching_device",
    "partitioner",
    "validate_shape",
    "use_resource",
    "custom_getter",
    "constraint",
    "synchronization",
    "aggregation",
)
#: get_variable arguments whose meaning a Keras weight cannot carry.
UNSUPPORTED_GET_VARIABLE_ARGUMENTS = (
    "collections",
    "caching_device",
    "partitioner",
    "custom_getter",
    "synchronization",
    "aggregation",
)
#: variable_scope arguments a layer cannot carry (yet): scope-wide defaults.
UNSUPPORTED_SCOPE_ARGUMENTS = (
    "regularizer",
    "caching_device",
    "partitioner",
    "custom_getter",
    "dtype",
    "constraint",
)
#: Keyword arguments of Keras' Layer constructor: a function parameter with one of
#: these names would collide with them.
#: `call` parameter names Keras 3 treats specially: a tensor input so named is not
#: given its shape in `build` (measured: `call(self, args)` builds with None).
RESERVED_CALL_NAMES = frozenset({"args", "kwargs", "mask", "training"})
LAYER_CONSTRUCTOR_KEYWORDS = frozenset({"name", "dtype", "trainable", "autocast", "kwargs"})
#: Positional arguments of these TF ops that are tensors besides the first.
TENSOR_OPERANDS = frozenset(
    {
        "matmul", "add", "subtract", "multiply", "maximum", "minimum", "einsum",
        "where", "pow", "tensordot", "nn.embedding_lookup", "nn.conv1d", "nn.conv2d",
        "nn.bias_add", "linalg.matmul", "math.add", "math.multiply",
    }
)
#: Keyword arguments of TF ops that take tensors.
TENSOR_KEYWORDS = frozenset(
    {
        "input", "inputs", "x", "y", "value", "values", "tensor", "params", "ids",
        "logits", "labels", "features", "a", "b", "input_tensor",
    }
)


AUTO_REUSE = "<AUTO_REUSE>"
BUILTINS = frozenset(dir(__import__("builtins")))


def capwords(name: str) -> str:
    """``conv_block`` -> ``ConvBlock``; ``mlp`` -> ``Mlp``."""
    return "".join(part[:1].upper() + part[1:] for part in name.strip("_").split("_") if part)


def attribute_name(scope: str) -> str:
    """A Python attribute for a sublayer scope name (``fc1``, ``layer-1`` -> ``layer_1``)
    that does not shadow an attribute of Keras' Layer (``output`` -> ``output_``)."""
    name = re.sub(r"\W", "_", scope)
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = f"layer_{name}"
    return safe_attribute(name)


@dataclasses.dataclass
class Weight:
    attribute: str
    tf_name: str
    statement: cst.SimpleStatementLine
    arguments: dict[str, cst.BaseExpression]
    #: the nested scope the variable was created in (its container layer), if any
    container: str | None = None
    #: the local variable it was assigned to in the function
    local: str = ""
    #: created once per iteration of `for <var> in <range>`: (var, range source)
    indexed: tuple[str, str] | None = None


@dataclasses.dataclass
class Sublayer:
    attribute: str
    scope: str
    callee: "LayerPlan | None"  # None for a `tf.layers` call
    calls: list[cst.Call]
    constructor_arguments: list[tuple[str | None, cst.BaseExpression]]
    #: per call (by id): the tensor arguments it passes (and `training=`)
    tensor_arguments: dict[int, list[tuple[str | None, cst.BaseExpression]]]
    #: for `tf.layers`: the Keras class and its constructor arguments as source
    keras_class: str | None = None
    keras_arguments: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    #: one sublayer per loop iteration: (loop variable, `range(...)` source, the
    #: scope name expression as source, e.g. `"h%d" % i`)
    indexed: tuple[str, str, str] | None = None


@dataclasses.dataclass
class Container:
    """A nested `variable_scope` holding variables: a plain layer named after it."""

    attribute: str
    scope: str
    #: one per loop iteration: (loop variable, range source, scope name source)
    indexed: tuple[str, str, str] | None = None


@dataclasses.dataclass
class LayerPlan:
    function: cst.FunctionDef
    class_name: str
    scope_parameter: str | None
    reuse_parameter: str | None
    name_default: str | None
    config: list[cst.Param]
    tensors: list[cst.Param]
    body: list[cst.BaseStatement]  # statements of the new `call`, before rewriting
    weights: list[Weight] = dataclasses.field(default_factory=list)
    sublayers: list[Sublayer] = dataclasses.field(default_factory=list)
    containers: list[Container] = dataclasses.field(default_factory=list)
    #: the scope is opened with `reuse=tf.AUTO_REUSE`: calls with one scope share
    auto_reuse: bool = False
    #: the parameter passed as `training=`: it becomes `call`'s `training`
    training: cst.Param | None = None
    #: unnamed calls take `default_name`, numbered by TF1 (`dense`, `dense_1`)
    uses_default_name: bool = False
    #: `variable_scope(..., initializer=...)`: the default for variables without one
    scope_initializer: cst.BaseExpression | None = None
    #: `scope.reuse_variables()` statements (removed from `call`)
    reuse_statements: list = dataclasses.field(default_factory=list)
    #: some variables are `tf.Variable`s (which TF1 never shares under reuse)
    uses_tf_variable: bool = False
    #: tensor inputs renamed in `call` because Keras 3 reserves their names
    input_renames: dict[str, str] = dataclasses.field(default_factory=dict)
    classdef: cst.ClassDef | None = None

    @property
    def tensor_names(self) -> list[str]:
        """The tensor inputs as `call` names them."""
        return [self.input_renames.get(p.name.value, p.name.value) for p in self.tensors]

    @property
    def config_names(self) -> list[str]:
        return [param.name.value for param in self.config]


@answers_per_file
def module_level_names(module: cst.Module) -> frozenset[str]:
    names: set[str] = set()
    index = ImportIndex.from_module(module, source="")
    names.update(index.bindings)
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for target in find(statement, cst.AssignTarget):
                names.update(bound_names(target.target))
    return frozenset(names)
