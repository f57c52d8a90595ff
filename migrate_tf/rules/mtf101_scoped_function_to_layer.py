"""MTF101 scoped-function-to-layer: TF1 graph functions become Keras 3 layers."""

from __future__ import annotations

import dataclasses
import keyword
import re

import libcst as cst
import libcst.matchers as m

from migrate_tf.rules.base import Rule
from migrate_tf.shared.codegen import (
    code_of,
    keras_reference,
    parse_statements,
    render_call,
    render_signature,
    string_literal,
)
from migrate_tf.shared.imports import ImportIndex, dotted_name
from migrate_tf.shared.layers import safe_attribute
from migrate_tf.shared.initializers import (
    Refusal,
    bind_arguments,
    dtype_name,
    is_none,
    keras_initializer,
)
from migrate_tf.shared.regularizers import keras_regularizer
from migrate_tf.shared.shapes import bound_names, lift_input_shapes, rename_locals
from migrate_tf.shared.tf1_api import tf2_spelling
from migrate_tf.shared.tf_layers import layer_spec, split_layer_call

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


_AUTO_REUSE = "<AUTO_REUSE>"
_BUILTINS = frozenset(dir(__import__("builtins")))


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
class _Weight:
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
class _Sublayer:
    attribute: str
    scope: str
    callee: "_Conversion | None"  # None for a `tf.layers` call
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
class _Container:
    """A nested `variable_scope` holding variables: a plain layer named after it."""

    attribute: str
    scope: str
    #: one per loop iteration: (loop variable, range source, scope name source)
    indexed: tuple[str, str, str] | None = None


@dataclasses.dataclass
class _Conversion:
    function: cst.FunctionDef
    class_name: str
    scope_parameter: str | None
    reuse_parameter: str | None
    name_default: str | None
    config: list[cst.Param]
    tensors: list[cst.Param]
    body: list[cst.BaseStatement]  # statements of the new `call`, before rewriting
    weights: list[_Weight] = dataclasses.field(default_factory=list)
    sublayers: list[_Sublayer] = dataclasses.field(default_factory=list)
    containers: list[_Container] = dataclasses.field(default_factory=list)
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
    classdef: cst.ClassDef | None = None

    @property
    def tensor_names(self) -> list[str]:
        return [param.name.value for param in self.tensors]

    @property
    def config_names(self) -> list[str]:
        return [param.name.value for param in self.config]


class ScopedFunctionToLayer(Rule):
    """
    ## What it does
    Turns a TensorFlow 1 function that builds part of a graph inside a
    `tf.variable_scope` with `tf.get_variable` into a Keras 3 layer class: the
    function's settings become constructor arguments stored on `self`, the scope
    parameter becomes the layer's `name` (its default the scope's default), a `reuse`
    parameter disappears, every `get_variable` becomes `self.add_weight(...)` in
    `build` (shapes taken from inputs become shapes `build` receives), and the rest of
    the body becomes `call`, taking the tensor inputs (and `training`, when the
    function passed a flag as `training=`). Variable paths stay the TF1 names without
    `:0` (`mlp/fc1/w`), so checkpoints and name filters keep working:

    - calls to other converted functions become sublayers created in `__init__`;
      a loop over indexed scopes (`"h%d" % i`, `f"h{i}"`, `"h{}".format(i)`) becomes a
      list of sublayers with the same names;
    - `tf.layers.dense`, `conv1d`, `conv2d`, `conv2d_transpose`, `max_pooling2d`,
      `average_pooling2d`, `batch_normalization`, `dropout` and `flatten` become the
      matching `keras.layers` sublayers; unnamed ones keep TF1's creation-order names
      (`dense`, `dense_1`, ...);
    - a nested literal scope keeps its name in the paths: its variables are created
      on a plain `keras.layers.Layer` named after it, its sublayers are called under
      `keras.name_scope(...)`;
    - a scope entered again with `reuse=True` or `tf.AUTO_REUSE` (a GAN
      discriminator applied to real and fake images) becomes one sublayer called
      twice: one set of weights.

    ## Why is this bad?
    `tf.variable_scope` and `tf.get_variable` only exist in `tf.compat.v1` and only
    work in graph mode. Keras 3 has no variable scopes and no equivalent of
    `get_variable`; TF1 model code cannot run in a Keras 3 model, be trained by
    `fit`, or be saved as `.keras` until it is written as layers.

    ## Example
    ```python
    def dense(x, units, scope="dense", stddev=0.02):
        with tf.variable_scope(scope):
            w = tf.get_variable("w", [x.get_shape()[-1], units],
                                initializer=tf.random_normal_initializer(stddev=stddev))
            b = tf.get_variable("b", [units], initializer=tf.zeros_initializer())
            return tf.matmul(x, w) + b
    ```

    ## Use instead
    ```python
    class Dense(keras.layers.Layer):
        def __init__(self, units, stddev=0.02, name="dense", **kwargs):
            super().__init__(name=name, **kwargs)
            self.units = units
            self.stddev = stddev

        def build(self, x_shape):
            self.w = self.add_weight(
                name="w",
                shape=[x_shape[-1], self.units],
                initializer=keras.initializers.RandomNormal(stddev=self.stddev),
            )
            self.b = self.add_weight(name="b", shape=[self.units], initializer="zeros")

        def call(self, x):
            return tf.matmul(x, self.w) + self.b
    ```
    TF1's `random_normal_initializer` defaults to stddev 1.0 and Keras'
    `RandomNormal` to 0.05: defaults are written out where they differ.
    `l2_regularizer(s)` (which adds `s * sum(w**2) / 2`) becomes `L2(s / 2)`.
    In a file written for TF1 (`import tensorflow as tf` with `tf.get_variable`), an
    op whose TF2 version changed meaning (`tf.nn.dropout(x, keep_prob)` became
    `tf.nn.dropout(x, rate)`) is written `tf.compat.v1.X` in `call`, which keeps
    TF1's meaning and runs eagerly.

    ## Fix safety
    The layer creates the same variables (names, shapes, dtypes, trainable flags,
    initial distributions, regularization) and computes the same outputs; the
    function is replaced by the class, so callers that are not converted must
    create the layer once and call it: each such call site is reported.

    ## When it refuses
    The function is left unchanged, with a finding naming the construct, when:
    variables are created conditionally, in a loop (other than sublayers over
    indexed scopes), in a `tf.while_loop`, or without a scope of their own; a scope
    name is computed beyond the indexed forms above; `variable_scope` sets
    scope-wide defaults (`initializer=`, `regularizer=`, `dtype=`, `custom_getter=`,
    `partitioner=`); `get_variable` uses `collections=`, `partitioner=`,
    `custom_getter=`, `caching_device=`, a computed name, or an initializer or
    regularizer with no exact Keras 3 equivalent; a parameter cannot be told apart as
    tensor input or setting; a shape needs an input's value rather than its static
    shape; a sublayer's settings are only known when the function runs; the function
    calls a scoped function that is not converted; a scope is entered twice without
    reuse, or the scope object is used (`scope.reuse_variables()`); a variable sits two
    nested scopes deep; or the function is decorated, nested, or has a statement
    under `# migrate-tf: ignore`.

    ## References
    - TensorFlow migration guide, "Migrate model code" (model mapping).
    - Keras 3 `Layer.add_weight`; variable paths (`layer/.../name`).
    """

    CODE = "MTF101"
    NAME = "scoped-function-to-layer"
    SUMMARY = (
        "A TF1 function built on `tf.variable_scope`/`tf.get_variable` becomes a "
        "Keras 3 layer class with `add_weight` in `build`."
    )
    TRIGGERS = ("variable_scope",)

    def __init__(self, context) -> None:
        super().__init__(context)
        self.changed = False
        self._conversions: dict[int, _Conversion] = {}
        self._converted_names: dict[str, _Conversion] = {}
        self._inside_converted = 0

    # Traversal -------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        blocked: frozenset[str] = frozenset()
        while True:
            planner = _Planner(node, self.context, self, blocked)
            self._conversions = planner.plan()
            shared = _initializers_shared_with_other_code(
                node, planner.module_initializers, self._conversions.values()
            )
            if shared <= blocked:
                break
            blocked = blocked | shared
        for finding_node, message, statement in planner.findings:
            self.report(finding_node, message, statement=statement)
        for name in sorted(blocked):
            statement = planner.module_initializers[name][0]
            if any(_reads(c.function, name) for c in self._conversions.values()):
                self.report(
                    statement,
                    f"`{name}` is a TF1 initializer that code which was not converted "
                    "still uses; the converted layers use its Keras 3 equivalent inline",
                )
        used = {
            name
            for conversion in self._conversions.values()
            for name in planner.initializer_names
            if _reads(conversion.function, name)
        }
        self._initializer_rewrites = {
            id(planner.module_initializers[name][0]): (name, planner.module_initializers[name][2])
            for name in used
        }
        self._converted_names = {
            conversion.function.name.value: conversion
            for conversion in self._conversions.values()
        }
        return True

    def leave_SimpleStatementLine(self, original_node, updated_node):
        rewrite = getattr(self, "_initializer_rewrites", {}).get(id(original_node))
        if rewrite is None:
            return updated_node
        name, keras_text = rewrite
        if self.context.imports.keras_module_name() is None and "keras." in keras_text:
            keras_reference(self.context)
        statement = parse_statements(f"{name} = {keras_text}\n")[0]
        return statement.with_changes(
            leading_lines=updated_node.leading_lines,
            trailing_whitespace=updated_node.trailing_whitespace,
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if id(node) in self._conversions:
            self._inside_converted += 1
        return True

    def visit_Call(self, node: cst.Call) -> bool:
        if self._inside_converted or not isinstance(node.func, cst.Name):
            return True
        conversion = self._converted_names.get(node.func.value)
        if conversion is not None:
            self.report(
                node,
                f"`{node.func.value}(...)` is now the layer `{conversion.class_name}`: "
                f"create `{conversion.class_name}(...)` once and call it on the tensors",
            )
        return True

    def leave_FunctionDef(self, original_node, updated_node):
        conversion = self._conversions.get(id(original_node))
        if conversion is None:
            return updated_node
        self._inside_converted -= 1
        self.changed = True
        self.record(
            original_node,
            "function-to-layer",
            conversion.function.name.value,
            conversion.class_name,
            constructor=tuple(conversion.config_names),
            inputs=tuple(conversion.tensor_names),
            scope_parameter=conversion.scope_parameter,
            default_name=conversion.name_default,
        )
        if self.context.imports.keras_module_name() is None:
            keras_reference(self.context)
        return conversion.classdef


# Planning ----------------------------------------------------------------------------


class _Planner:
    """Decides, for every top-level function of a module, whether and how it converts."""

    def __init__(self, module: cst.Module, context, rule: Rule, blocked=frozenset()) -> None:
        self.module = module
        self.context = context
        self.index = context.imports
        self.rule = rule
        #: findings of this planning pass: (node, message, statement)
        self.findings: list[tuple[cst.CSTNode, str, cst.CSTNode]] = []
        self.module_initializers = _module_initializers(module, context.imports)
        #: module-level initializers that code outside the conversions also uses
        self.blocked = frozenset(blocked)
        self.initializer_names = frozenset(set(self.module_initializers) - self.blocked)
        self.functions = {
            statement.name.value: statement
            for statement in module.body
            if isinstance(statement, cst.FunctionDef)
        }
        self.module_names = _module_level_names(module)
        self.results: dict[str, _Conversion | Refusal | None] = {}
        self.in_progress: set[str] = set()

    def plan(self) -> dict[int, _Conversion]:
        for name in self.functions:
            self._result(name)
        return {
            id(result.function): result
            for result in self.results.values()
            if isinstance(result, _Conversion)
        }

    def _result(self, name: str):
        if name in self.results:
            return self.results[name]
        if name in self.in_progress:
            return Refusal(f"`{name}` calls itself")
        function = self.functions[name]
        self.in_progress.add(name)
        result: _Conversion | Refusal | None
        try:
            result = self._analyse(function)
        except Refusal as refusal:
            result = refusal
            if not self.rule.is_suppressed(function):
                self.findings.append(
                    (function.name, f"`{name}` was not converted to a Keras layer: {refusal}", function)
                )
        self.in_progress.discard(name)
        self.results[name] = result
        return result

    # The analysis of one function ----------------------------------------------------

    def _analyse(self, function: cst.FunctionDef) -> _Conversion | None:
        if not self._creates_variables(function):
            return None
        if self.rule.is_suppressed(function):
            return None
        if self.context.has_suppressions and any(
            self.rule.is_suppressed(statement)
            for statement in m.findall(function.body, m.SimpleStatementLine() | m.BaseCompoundStatement())
        ):
            # A function is converted whole or not at all: an ignored statement
            # inside keeps the whole function as it is.
            return None
        if function.decorators:
            raise Refusal("it is decorated")
        if function.asynchronous is not None:
            raise Refusal("it is async")
        params = function.params
        if isinstance(params.star_arg, cst.Param):
            raise Refusal("it takes *args")
        if params.star_kwarg is not None:
            raise Refusal("it takes **kwargs")
        if params.posonly_params:
            raise Refusal("it has positional-only parameters")

        statements = list(function.body.body)
        docstring = []
        if statements and _is_docstring(statements[0]):
            docstring = [statements.pop(0)]
        scopes = [s for s in statements if self._scope_call_of(s) is not None]
        if len(scopes) != 1:
            raise Refusal(
                "its variables are not all created inside one `tf.variable_scope` block"
                if not scopes
                else "it opens several top-level variable scopes"
            )
        scope_statement = scopes[0]
        position = statements.index(scope_statement)
        before, after = statements[:position], statements[position + 1 :]
        for statement in before + after:
            if self._has_variable_creation(statement):
                raise Refusal("it creates variables outside its `tf.variable_scope` block")

        assert isinstance(scope_statement, cst.With)
        if len(scope_statement.items) != 1:
            raise Refusal("its `with` statement opens several contexts")
        item = scope_statement.items[0]
        reuse_statements = []
        if item.asname is not None:
            reuse_statements = self._reuse_variables_statements(scope_statement, item.asname.name)
        scope = bind_arguments(item.item, VARIABLE_SCOPE_PARAMETERS)
        for argument in UNSUPPORTED_SCOPE_ARGUMENTS:
            if argument in scope and not is_none(scope[argument]):
                raise Refusal(f"`variable_scope(..., {argument}=...)` sets scope-wide defaults")
        scope_parameter, name_default = self._scope_name(function, scope)
        uses_default_name = scope.get("default_name") is not None
        reuse_parameter = self._reuse(function, scope)
        auto_reuse = reuse_parameter == _AUTO_REUSE
        if auto_reuse:
            reuse_parameter = None

        body = before + list(scope_statement.body.body) + after
        conversion = _Conversion(
            function=function,
            class_name=self._class_name(function.name.value),
            scope_parameter=scope_parameter,
            reuse_parameter=reuse_parameter,
            name_default=name_default,
            config=[],
            tensors=[],
            body=docstring + body,
            auto_reuse=auto_reuse,
            uses_default_name=uses_default_name,
            scope_initializer=(
                scope["initializer"]
                if "initializer" in scope and not is_none(scope["initializer"])
                else None
            ),
            reuse_statements=reuse_statements,
        )
        self._collect_weights_and_sublayers(conversion, body)
        self._classify_parameters(conversion, body)
        self._check_body(conversion)
        conversion.classdef = _ClassWriter(conversion, self.context, self).write()
        return conversion

    def _reuse_variables_statements(self, scope_statement: cst.With, alias) -> list:
        """The top-level `scope.reuse_variables()` statements; Refusal for any other
        use of the scope object."""
        if not isinstance(alias, cst.Name):
            raise Refusal("the scope object is unpacked")
        found = []
        for statement in scope_statement.body.body:
            if (
                isinstance(statement, cst.SimpleStatementLine)
                and len(statement.body) == 1
                and m.matches(
                    statement.body[0],
                    m.Expr(value=m.Call(func=m.Attribute(value=m.Name(alias.value), attr=m.Name("reuse_variables")), args=[])),
                )
            ):
                found.append(statement)
            elif _reads(statement, alias.value):
                raise Refusal(
                    f"it uses the scope object `{alias.value}` for more than `reuse_variables()`"
                )
        if not found:
            raise Refusal(f"it binds the scope object `{alias.value}` without using it")
        return found

    def _creates_variables(self, function: cst.FunctionDef) -> bool:
        for call in m.findall(function, m.Call()):
            if self.index.is_api(call.func, "tf.variable_scope", "tf.get_variable"):
                return True
        return False

    def _has_variable_creation(self, node: cst.CSTNode) -> bool:
        for call in m.findall(node, m.Call()):
            if self.index.is_api(
                call.func, "tf.get_variable", "tf.Variable", "tf.variable_scope"
            ):
                return True
            if isinstance(call.func, cst.Name) and call.func.value in self.functions:
                result = self._result(call.func.value)
                if isinstance(result, (_Conversion, Refusal)):
                    return True
            canonical = self.index.canonical(call.func) or ""
            if canonical.startswith(("tf1.layers.", "tf.layers.", "keras.layers.")):
                return True
        return False

    def _scope_call_of(self, statement: cst.CSTNode) -> cst.Call | None:
        if not isinstance(statement, cst.With):
            return None
        for item in statement.items:
            if isinstance(item.item, cst.Call) and self.index.is_api(
                item.item.func, "tf.variable_scope"
            ):
                return item.item
        return None

    def _scope_name(self, function: cst.FunctionDef, scope) -> tuple[str | None, str | None]:
        """(the scope parameter, the layer's default name)."""
        name = scope.get("name_or_scope")
        default_name = scope.get("default_name")
        if default_name is not None and not _is_string(default_name):
            raise Refusal(f"the default scope name `{code_of(default_name)}` is computed")
        default = default_name.evaluated_value if default_name is not None else None
        if name is None or is_none(name):
            if default is None:
                raise Refusal("its scope has no name")
            return None, default
        if _is_string(name):
            return None, name.evaluated_value
        if isinstance(name, cst.Name):
            param = _param(function, name.value)
            if param is None:
                raise Refusal(f"the scope name `{name.value}` is not a parameter")
            if param.default is None:
                return name.value, default
            if _is_string(param.default):
                return name.value, param.default.evaluated_value
            if is_none(param.default):
                if default is None:
                    raise Refusal(
                        f"the scope parameter `{name.value}` defaults to None "
                        "and the scope has no `default_name`"
                    )
                return name.value, default
        raise Refusal(f"the scope name `{code_of(name)}` is computed")

    def _reuse(self, function: cst.FunctionDef, scope) -> str | None:
        reuse = scope.get("reuse")
        if reuse is None or is_none(reuse) or m.matches(reuse, m.Name("False")):
            return None
        if self.index.is_api(reuse, "tf.AUTO_REUSE"):
            return _AUTO_REUSE
        if isinstance(reuse, cst.Name) and _param(function, reuse.value) is not None:
            param = _param(function, reuse.value)
            if param.default is not None and (
                m.matches(param.default, m.Name("False")) or is_none(param.default)
            ):
                return reuse.value
        raise Refusal(
            f"its scope is reused (`reuse={code_of(reuse)}`): sharing is not converted yet"
        )

    def _class_name(self, function_name: str) -> str:
        base = capwords(function_name)
        for candidate in (base, f"{base}Layer"):
            if candidate not in self.module_names and candidate != function_name:
                return candidate
        raise Refusal(f"the class names `{base}` and `{base}Layer` are both taken")

    # Weights and sublayers --------------------------------------------------------

    def _collect_weights_and_sublayers(self, conversion: _Conversion, body) -> None:
        assignments: dict[str, int] = {}
        for statement in body:
            for target in m.findall(statement, m.AssignTarget() | m.AugAssign()):
                for name in bound_names(target.target):
                    assignments[name] = assignments.get(name, 0) + 1
        sublayers: dict[str, _Sublayer] = {}
        self._reusing = False
        self._walk(conversion, body, (), assignments, sublayers)
        self._reusing = False
        if conversion.scope_initializer is not None and any(
            s.callee is not None for s in conversion.sublayers
        ):
            raise Refusal(
                "its scope's `initializer=` would also apply to the variables of the "
                "functions it calls"
            )
        if not conversion.weights and not conversion.sublayers:
            raise Refusal("it creates no variable that could be converted")
        taken = {w.attribute for w in conversion.weights} | {
            s.attribute for s in conversion.sublayers
        }
        for container in conversion.containers:
            if container.attribute in taken:
                raise Refusal(f"the scope `{container.scope}` has the name of a variable")

    def _walk(self, conversion, statements, scope_path, assignments, sublayers) -> None:
        """Collect weights and sublayers, descending into nested literal scopes."""
        for statement in statements:
            if any(statement is r for r in conversion.reuse_statements):
                # TF1: from here on the scope reuses what it created.
                self._reusing = True
                continue
            nested = self._scope_call_of(statement)
            if nested is not None:
                self._walk(
                    conversion,
                    statement.body.body,
                    scope_path + (self._nested_scope_name(statement, nested),),
                    assignments,
                    sublayers,
                )
                continue
            loop = self._indexed_loop(statement)
            if loop is not None:
                self._walk_loop(conversion, statement, loop, scope_path, sublayers)
                continue
            loop = self._variable_loop(statement)
            if loop is not None:
                self._walk_variable_loop(conversion, statement, loop, scope_path, assignments)
                continue
            weight = self._weight(statement)
            if weight is not None:
                attribute, arguments = weight
                if getattr(self, "_reusing", False):
                    raise Refusal(
                        f"`{attribute}` is created after `reuse_variables()`, where TF1 "
                        "only finds existing variables"
                    )
                if assignments.get(attribute, 0) != 1:
                    raise Refusal(f"`{attribute}` is assigned more than once")
                if len(scope_path) > 1:
                    raise Refusal(
                        f"the variable `{attribute}` is created two scopes deep "
                        f"(`{'/'.join(scope_path)}`)"
                    )
                container = None
                if scope_path:
                    container = attribute_name(scope_path[0])
                    if all(c.attribute != container for c in conversion.containers):
                        conversion.containers.append(_Container(container, scope_path[0]))
                conversion.weights.append(
                    _Weight(
                        safe_attribute(attribute),
                        self._variable_name(arguments),
                        statement,
                        arguments,
                        container,
                        local=attribute,
                    )
                )
                continue
            compound = not isinstance(statement, cst.SimpleStatementLine)
            for call in m.findall(statement, m.Call()):
                if self.index.is_api(call.func, "tf.get_variable", "tf.Variable"):
                    raise Refusal(
                        "a variable is created conditionally or in a loop"
                        if compound
                        else "a variable is created inside an expression, not assigned to a name"
                    )
                if self.index.is_api(call.func, "tf.variable_scope"):
                    raise Refusal("it opens a `tf.variable_scope` inside a block or with arguments")
                if self.index.is_api(call.func, "tf.while_loop"):
                    raise Refusal("`tf.while_loop` may create variables in its body")
                spec = layer_spec(call, self.index)
                if spec is not None:
                    if compound:
                        raise Refusal(
                            f"`{code_of(call.func)}` is called conditionally or in a loop"
                        )
                    self._tf_layer(call, spec, conversion, scope_path, sublayers)
                    continue
                if isinstance(call.func, cst.Name) and call.func.value in self.functions:
                    result = self._result(call.func.value)
                    if isinstance(result, Refusal):
                        raise Refusal(
                            f"it calls `{call.func.value}`, which was not converted"
                        )
                    if result is None:
                        continue
                    if compound:
                        raise Refusal(
                            f"`{call.func.value}` is called conditionally or in a loop"
                        )
                    self._sublayer(call, result, conversion, scope_path, sublayers)

    def _indexed_loop(self, statement) -> tuple[str, cst.Call] | None:
        """(loop variable, `range(...)` call) of `for i in range(...)` that creates
        sublayers, else None."""
        if not isinstance(statement, cst.For) or statement.orelse is not None:
            return None
        if not isinstance(statement.target, cst.Name):
            return None
        iterator = statement.iter
        if not (
            isinstance(iterator, cst.Call)
            and isinstance(iterator.func, cst.Name)
            and iterator.func.value == "range"
        ):
            return None
        for call in m.findall(statement.body, m.Call()):
            if layer_spec(call, self.index) is not None:
                return statement.target.value, iterator
            if isinstance(call.func, cst.Name) and isinstance(
                self._result(call.func.value) if call.func.value in self.functions else None,
                _Conversion,
            ):
                return statement.target.value, iterator
        return None

    def _variable_loop(self, statement) -> tuple[str, cst.Call] | None:
        """(loop variable, `range(...)`) of `for i in range(...)` whose body opens an
        indexed scope holding variables, else None."""
        if not isinstance(statement, cst.For) or statement.orelse is not None:
            return None
        if not isinstance(statement.target, cst.Name):
            return None
        iterator = statement.iter
        if not (
            isinstance(iterator, cst.Call)
            and isinstance(iterator.func, cst.Name)
            and iterator.func.value == "range"
        ):
            return None
        for inner in statement.body.body:
            if self._scope_call_of(inner) is not None:
                return statement.target.value, iterator
        return None

    def _walk_variable_loop(self, conversion, loop_statement, loop, scope_path, assignments) -> None:
        """Variables of `for i in range(n): with variable_scope(f"layer_{i}"): ...`:
        one container layer and one weight per iteration, kept in lists."""
        variable, range_call = loop
        if scope_path:
            raise Refusal("a loop of indexed scopes sits inside a nested scope")
        for statement in loop_statement.body.body:
            scope_call = self._scope_call_of(statement)
            if scope_call is None:
                if self._has_variable_creation(statement):
                    raise Refusal("a variable is created in a loop outside an indexed scope")
                continue
            if len(statement.items) != 1 or statement.items[0].asname is not None:
                raise Refusal("a nested `with tf.variable_scope(...)` opens several contexts")
            arguments = bind_arguments(scope_call, VARIABLE_SCOPE_PARAMETERS)
            if set(arguments) - {"name_or_scope", "values"}:
                raise Refusal("an indexed scope in a loop sets scope arguments")
            scope_node = arguments["name_or_scope"]
            prefix = self._indexed_scope(scope_node, variable)
            container = attribute_name(prefix.rstrip("_-") or "layer")
            if any(c.attribute == container for c in conversion.containers):
                raise Refusal(f"two indexed scopes would both be called `{container}`")
            conversion.containers.append(
                _Container(
                    container, code_of(scope_node), indexed=(variable, code_of(range_call), code_of(scope_node))
                )
            )
            for inner in statement.body.body:
                weight = self._weight(inner)
                if weight is None:
                    if self._has_variable_creation(inner):
                        raise Refusal("an indexed scope in a loop creates variables other than by `get_variable`")
                    continue
                attribute, get_variable_arguments = weight
                if assignments.get(attribute, 0) != 1:
                    raise Refusal(f"`{attribute}` is assigned more than once")
                conversion.weights.append(
                    _Weight(
                        safe_attribute(attribute),
                        self._variable_name(get_variable_arguments),
                        inner,
                        get_variable_arguments,
                        container,
                        local=attribute,
                        indexed=(variable, code_of(range_call)),
                    )
                )

    def _walk_loop(self, conversion, loop_statement, loop, scope_path, sublayers) -> None:
        variable, range_call = loop
        for statement in loop_statement.body.body:
            compound = not isinstance(statement, cst.SimpleStatementLine)
            for call in m.findall(statement, m.Call()):
                if self.index.is_api(
                    call.func, "tf.get_variable", "tf.Variable", "tf.variable_scope", "tf.while_loop"
                ):
                    raise Refusal("variables are created in a loop")
                spec = layer_spec(call, self.index)
                result = None
                if spec is None and isinstance(call.func, cst.Name) and call.func.value in self.functions:
                    result = self._result(call.func.value)
                    if isinstance(result, Refusal):
                        raise Refusal(f"it calls `{call.func.value}`, which was not converted")
                if spec is None and not isinstance(result, _Conversion):
                    continue
                if compound:
                    raise Refusal(
                        f"`{code_of(call.func)}` is called conditionally inside a loop"
                    )
                indexed = (variable, range_call)
                if spec is not None:
                    self._tf_layer(call, spec, conversion, scope_path, sublayers, indexed)
                else:
                    self._sublayer(call, result, conversion, scope_path, sublayers, indexed)

    def _indexed_scope(self, node, variable: str) -> str:
        """The scope prefix of `"h%d" % i`, `f"h{i}"` or `"h{}".format(i)`; Refusal
        for any other computed name."""
        if (
            isinstance(node, cst.BinaryOperation)
            and isinstance(node.operator, cst.Modulo)
            and _is_string(node.left)
            and m.matches(node.right, m.Name(variable))
        ):
            template = node.left.evaluated_value
            if template.count("%") == 1 and template.endswith(("%d", "%s", "%i")):
                return template[:-2]
        if isinstance(node, cst.FormattedString):
            parts = node.parts
            if (
                len(parts) == 2
                and isinstance(parts[0], cst.FormattedStringText)
                and isinstance(parts[1], cst.FormattedStringExpression)
                and m.matches(parts[1].expression, m.Name(variable))
                and parts[1].format_spec is None
                and parts[1].conversion is None
            ):
                return parts[0].value
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "format"
            and _is_string(node.func.value)
            and len(node.args) == 1
            and m.matches(node.args[0].value, m.Name(variable))
        ):
            template = node.func.value.evaluated_value
            if template.count("{") == 1 and template.endswith("{}"):
                return template[:-2]
        raise Refusal(f"the scope name `{code_of(node)}` is computed")

    def _tf_layer(self, call, spec, conversion, scope_path, sublayers, indexed=None) -> None:
        keras = self.index.keras_module_name() or "keras"
        # The layer's settings read shared initializers inline; the call node itself
        # stays the original, which is how `call` finds what to replace.
        source = _inline_initializer_names(
            call, {name: self.module_initializers[name][1] for name in self.blocked}
        )
        if (
            conversion.scope_initializer is not None
            and "kernel_initializer" in spec.constructor
            and _keyword(call, "kernel_initializer") is None
        ):
            # TF1 layers without a kernel initializer take the scope's default.
            source = source.with_changes(
                args=[
                    *source.args,
                    cst.Arg(keyword=cst.Name("kernel_initializer"), value=conversion.scope_initializer),
                ]
            )
        if indexed is not None:
            name_argument = _keyword(call, "name")
            if name_argument is None:
                raise Refusal(f"`{code_of(call.func)}` in a loop has no indexed `name=`")
            prefix = self._indexed_scope(name_argument, indexed[0])
            call_without_name = source.with_changes(
                args=[a for a in source.args if not (a.keyword and a.keyword.value == "name")]
            )
            layer = split_layer_call(
                call_without_name, spec, self.index, keras, self.initializer_names
            )
            self._add_indexed(
                conversion, sublayers, scope_path, prefix, indexed, name_argument, call,
                [(None, layer.inputs)] + (
                    [("training", layer.training)]
                    if layer.training is not None and not m.matches(layer.training, m.Name("False"))
                    else []
                ),
                callee=None, keras_class=spec.keras_class, keras_arguments=layer.constructor,
            )
            return
        layer = split_layer_call(source, spec, self.index, keras, self.initializer_names)
        reused = getattr(self, "_reusing", False) or (
            layer.reuse is not None
            and (
                m.matches(layer.reuse, m.Name("True"))
                or self.index.is_api(layer.reuse, "tf.AUTO_REUSE")
            )
        )
        if layer.reuse is not None and not reused and not (
            is_none(layer.reuse) or m.matches(layer.reuse, m.Name("False"))
        ):
            raise Refusal(f"`{code_of(call.func)}` is called with a computed reuse")
        name = layer.name
        if name is None:
            # TF1 numbers unnamed layers per scope in creation order: dense, dense_1, ...
            count = conversion.__dict__.setdefault("_layer_counts", {})
            key = (scope_path, spec.base_name)
            number = count.get(key, 0)
            count[key] = number + 1
            name = spec.base_name if number == 0 else f"{spec.base_name}_{number}"
        tensors: list[tuple[str | None, cst.BaseExpression]] = [(None, layer.inputs)]
        if layer.training is not None and not m.matches(layer.training, m.Name("False")):
            tensors.append(("training", layer.training))
        path = "/".join(scope_path + (name,))
        existing = sublayers.get(path)
        if existing is not None:
            if not reused:
                raise Refusal(
                    f"the layer `{path}` is created twice without reuse "
                    "(TensorFlow 1 raises 'Variable already exists')"
                )
            if existing.keras_arguments != layer.constructor or existing.keras_class != spec.keras_class:
                raise Refusal(f"the shared layer `{path}` is built with different settings")
            existing.calls.append(call)
            existing.tensor_arguments[id(call)] = tensors
            return
        attribute = attribute_name("_".join(scope_path + (name,)))
        if any(s.attribute == attribute for s in sublayers.values()):
            raise Refusal(f"two sublayers would both be called `{attribute}`")
        sublayer = _Sublayer(
            attribute,
            name,
            None,
            [call],
            [],
            {id(call): tensors},
            keras_class=spec.keras_class,
            keras_arguments=layer.constructor,
        )
        sublayers[path] = sublayer
        conversion.sublayers.append(sublayer)

    def _add_indexed(
        self, conversion, sublayers, scope_path, prefix, indexed, scope_node, call, tensors,
        *, callee, constructor=(), keras_class=None, keras_arguments=(),
    ) -> None:
        variable, range_call = indexed
        path = "/".join(scope_path + (f"{prefix}<{variable}>",))
        if path in sublayers:
            raise Refusal(f"the indexed scopes `{prefix}...` are entered twice")
        attribute = attribute_name("_".join(scope_path + (prefix.rstrip("_-") or "layer",)))
        if any(s.attribute == attribute for s in sublayers.values()):
            raise Refusal(f"two sublayers would both be called `{attribute}`")
        sublayer = _Sublayer(
            attribute,
            code_of(scope_node),
            callee,
            [call],
            list(constructor),
            {id(call): tensors},
            keras_class=keras_class,
            keras_arguments=list(keras_arguments),
            indexed=(variable, code_of(range_call), code_of(scope_node)),
        )
        sublayers[path] = sublayer
        conversion.sublayers.append(sublayer)

    def _nested_scope_name(self, statement: cst.With, call: cst.Call) -> str:
        if len(statement.items) != 1 or statement.items[0].asname is not None:
            raise Refusal("a nested `with tf.variable_scope(...)` opens several contexts")
        arguments = bind_arguments(call, VARIABLE_SCOPE_PARAMETERS)
        extra = sorted(set(arguments) - {"name_or_scope", "values"})
        if extra:
            raise Refusal(f"a nested `tf.variable_scope` sets `{extra[0]}`")
        name = arguments.get("name_or_scope")
        if not _is_string(name):
            raise Refusal(
                f"a nested scope name is computed: `{code_of(name) if name is not None else ''}`"
            )
        value = name.evaluated_value
        if not value or "/" in value:
            raise Refusal(f"the nested scope name {code_of(name)} is empty or contains `/`")
        return value

    def _weight(self, statement) -> tuple[str, dict] | None:
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            return None
        small = statement.body[0]
        if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
            return None
        target = small.targets[0].target
        value = small.value
        if not (isinstance(target, cst.Name) and isinstance(value, cst.Call)):
            return None
        if not self.index.is_api(value.func, "tf.get_variable"):
            return None
        arguments = bind_arguments(value, GET_VARIABLE_PARAMETERS)
        for argument in UNSUPPORTED_GET_VARIABLE_ARGUMENTS:
            if argument in arguments and not is_none(arguments[argument]):
                raise Refusal(f"`get_variable(..., {argument}=...)` has no Keras 3 equivalent")
        validate = arguments.get("validate_shape")
        if validate is not None and not m.matches(validate, m.Name("True")):
            raise Refusal("`get_variable(..., validate_shape=False)` has no Keras 3 equivalent")
        return target.value, arguments

    @staticmethod
    def _variable_name(arguments) -> str:
        name = arguments.get("name")
        if name is None or not _is_string(name):
            raise Refusal(
                f"the variable name `{code_of(name) if name is not None else ''}` is computed"
            )
        value = name.evaluated_value
        if "/" in value or not value:
            raise Refusal(f"the variable name {code_of(name)} contains `/`")
        return value

    def _sublayer(self, call, callee: _Conversion, conversion, scope_path, sublayers, indexed=None) -> None:
        callee_params = [
            *callee.function.params.params,
            *callee.function.params.kwonly_params,
        ]
        bound = bind_arguments(call, tuple(p.name.value for p in callee_params))
        if indexed is not None:
            if callee.scope_parameter is None or callee.scope_parameter not in bound:
                raise Refusal(f"`{code_of(call.func)}(...)` in a loop gets no indexed scope")
            scope_node = bound[callee.scope_parameter]
            prefix = self._indexed_scope(scope_node, indexed[0])
            constructor = []
            for param in callee.config:
                if param.name.value in bound:
                    key = None if param.default is None else param.name.value
                    constructor.append((key, bound[param.name.value]))
            tensors = [
                (None if p.default is None else p.name.value, bound[p.name.value])
                for p in callee.tensors
                if p.name.value in bound
            ]
            if callee.training is not None and callee.training.name.value in bound:
                tensors.append(("training", bound[callee.training.name.value]))
            self._add_indexed(
                conversion, sublayers, scope_path, prefix, indexed, scope_node, call,
                tensors, callee=callee, constructor=constructor,
            )
            return
        scope_value = bound.get(callee.scope_parameter) if callee.scope_parameter else None
        if scope_value is not None and not is_none(scope_value):
            if not _is_string(scope_value):
                raise Refusal(
                    f"the scope of `{code_of(call.func)}(...)` is computed: `{code_of(scope_value)}`"
                )
            scope = scope_value.evaluated_value
        elif callee.name_default is not None:
            scope = callee.name_default
            if callee.uses_default_name:
                # `variable_scope(None, default_name="dense")` numbers repeated
                # scopes as TF1 does: dense, dense_1, ...
                counts = conversion.__dict__.setdefault("_default_name_counts", {})
                key = (scope_path, scope)
                number = counts.get(key, 0)
                counts[key] = number + 1
                scope = scope if number == 0 else f"{scope}_{number}"
        else:
            raise Refusal(f"`{code_of(call.func)}(...)` gets no scope name")
        if "/" in scope or not scope:
            raise Refusal(f"the scope name {scope!r} is empty or contains `/`")
        reused = callee.auto_reuse or getattr(self, "_reusing", False)
        if callee.reuse_parameter is not None and callee.reuse_parameter in bound:
            reuse = bound[callee.reuse_parameter]
            if m.matches(reuse, m.Name("True")) or self.index.is_api(reuse, "tf.AUTO_REUSE"):
                reused = True
            elif not (m.matches(reuse, m.Name("False")) or is_none(reuse)):
                raise Refusal(
                    f"`{code_of(call.func)}(...)` is called with a computed reuse: "
                    f"`{code_of(reuse)}`"
                )
        constructor = []
        for param in callee.config:
            name = param.name.value
            if name in bound:
                keyword_name = None if param.default is None else name
                constructor.append((keyword_name, bound[name]))
        tensors = []
        for param in callee.tensors:
            name = param.name.value
            if name in bound:
                tensors.append((None if param.default is None else name, bound[name]))
        if callee.training is not None and callee.training.name.value in bound:
            tensors.append(("training", bound[callee.training.name.value]))
        path = "/".join(scope_path + (scope,))
        existing = sublayers.get(path)
        if existing is not None:
            if not reused:
                raise Refusal(
                    f"the scope `{path}` is entered twice without reuse "
                    "(TensorFlow 1 raises 'Variable already exists')"
                )
            if existing.callee is not callee or [
                (k, code_of(v)) for k, v in existing.constructor_arguments
            ] != [(k, code_of(v)) for k, v in constructor]:
                raise Refusal(f"the shared scope `{path}` is built with different settings")
            existing.calls.append(call)
            existing.tensor_arguments[id(call)] = tensors
            return
        attribute = attribute_name("_".join(scope_path + (scope,)))
        if any(s.attribute == attribute for s in sublayers.values()):
            raise Refusal(f"two sublayers would both be called `{attribute}`")
        sublayer = _Sublayer(attribute, scope, callee, [call], constructor, {id(call): tensors})
        sublayers[path] = sublayer
        conversion.sublayers.append(sublayer)

    # Parameters ---------------------------------------------------------------------

    def _classify_parameters(self, conversion: _Conversion, body) -> None:
        function = conversion.function
        params = [*function.params.params, *function.params.kwonly_params]
        special = {conversion.scope_parameter, conversion.reuse_parameter}
        self._training_evidence: set[str] = set()
        tensor_evidence: set[str] = set()
        config_evidence: set[str] = set()
        parameters = {p.name.value for p in params} - special
        # `h = frames` makes `h` another name for the parameter: what `h` is used
        # as tells what `frames` is.
        aliases = {}
        for statement in body:
            for assign in m.findall(statement, m.Assign()):
                value = assign.value
                if isinstance(value, cst.Name) and value.value in parameters:
                    for target in assign.targets:
                        if isinstance(target.target, cst.Name) and target.target.value not in parameters:
                            aliases.setdefault(target.target.value, value.value)
        names = parameters | set(aliases)
        for name in special - {None}:
            for statement in body:
                if _reads(statement, name):
                    raise Refusal(f"`{name}` is used for more than the variable scope")

        weight_statements = {id(weight.statement) for weight in conversion.weights}
        for statement in body:
            if id(statement) in weight_statements:
                continue  # its arguments are settings, read below
            for node in m.findall(statement, m.Attribute()):
                base = node.value
                if isinstance(base, cst.Name) and base.value in names:
                    if node.attr.value in ("get_shape", "shape", "dtype", "op", "graph"):
                        tensor_evidence.add(base.value)
            for call in m.findall(statement, m.Call()):
                self._call_evidence(call, names, tensor_evidence, config_evidence)
        # Arithmetic with a tensor is weaker evidence: `variance + epsilon` does not
        # make a float setting with a literal default a tensor.
        weak_tensor_evidence = self._arithmetic_with_tensors(
            conversion, [s for s in body if id(s) not in weight_statements], names
        )
        for weight in conversion.weights:
            for key, value in weight.arguments.items():
                bases = _shape_bases(value)
                tensor_evidence.update(bases & names)
                for name in _free_names(value):
                    if name in names and name not in bases:
                        config_evidence.add(name)
        for sublayer in conversion.sublayers:
            for _, value in sublayer.constructor_arguments:
                config_evidence.update(n.value for n in m.findall(value, m.Name()) if n.value in names)
            for arguments in sublayer.tensor_arguments.values():
                for key, value in arguments:
                    if key == "training":
                        if isinstance(value, cst.Name) and value.value in names:
                            self._training_evidence.add(value.value)
                        continue
                    if isinstance(value, cst.Name) and value.value in names:
                        tensor_evidence.add(value.value)

        tensor_evidence = {aliases.get(n, n) for n in tensor_evidence}
        config_evidence = {aliases.get(n, n) for n in config_evidence}
        weak_tensor_evidence = {aliases.get(n, n) for n in weak_tensor_evidence}
        self._training_evidence = {aliases.get(n, n) for n in self._training_evidence}
        if len(self._training_evidence) > 1:
            raise Refusal("several parameters are passed as `training=`")
        for param in params:
            name = param.name.value
            if name in special:
                continue
            if name in self._training_evidence:
                if name in tensor_evidence:
                    raise Refusal(f"`{name}` is used both as a tensor and as the training flag")
                conversion.training = param
                continue
            if name in LAYER_CONSTRUCTOR_KEYWORDS:
                raise Refusal(f"its parameter `{name}` collides with Keras' layer arguments")
            # A default value (other than None) is a setting's: tensors are passed in.
            is_config = name in config_evidence or (
                param.default is not None and not is_none(param.default)
            )
            if name in tensor_evidence and name in config_evidence:
                raise Refusal(f"`{name}` is used both as a tensor and as a setting")
            is_tensor = name in tensor_evidence or (
                name in weak_tensor_evidence and not is_config
            )
            if is_tensor:
                conversion.tensors.append(param)
            elif is_config:
                conversion.config.append(param)
            elif any(_reads(statement, name) for statement in body):
                raise Refusal(
                    f"cannot tell whether `{name}` is a tensor input or a setting"
                )
            else:
                conversion.config.append(param)
        if not conversion.tensors:
            raise Refusal("it has no tensor input")

    def _arithmetic_with_tensors(self, conversion, body, names) -> set[str]:
        """Parameters combined by arithmetic with something known to be a tensor
        (a variable, a TF op's result, or a local computed from them)."""
        tensors = {weight.attribute for weight in conversion.weights}
        found: set[str] = set()

        def is_tensor(expression) -> bool:
            if any(n.value in tensors for n in m.findall(expression, m.Name())):
                return True
            for call in m.findall(expression, m.Call()):
                canonical = self.index.canonical(call.func) or ""
                if canonical.startswith(("tf.", "tf1.")) or id(call) in sublayer_calls:
                    return True
            return False

        sublayer_calls = {id(call) for sublayer in conversion.sublayers for call in sublayer.calls}
        for _ in range(4):  # locals computed from locals: a few rounds reach them all
            for statement in body:
                for assign in m.findall(statement, m.Assign()):
                    if is_tensor(assign.value):
                        for target in assign.targets:
                            tensors.update(bound_names(target.target))
                for operation in m.findall(statement, m.BinaryOperation()):
                    sides = (operation.left, operation.right)
                    for side, other in (sides, sides[::-1]):
                        if isinstance(side, cst.Name) and side.value in names and is_tensor(other):
                            found.add(side.value)
                            tensors.add(side.value)
        return found

    def _call_evidence(self, call, names, tensor_evidence, config_evidence) -> None:
        canonical = self.index.canonical(call.func)
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "training":
                if isinstance(arg.value, cst.Name) and arg.value.value in names:
                    self._training_evidence.add(arg.value.value)
        if canonical is not None and canonical.startswith(("tf.", "tf1.")):
            api = canonical.split(".", 1)[1]
            for position, arg in enumerate(call.args):
                value = arg.value
                if arg.keyword is None and position == 0:
                    for element in _tensor_candidates(value):
                        if element in names:
                            tensor_evidence.add(element)
                elif arg.keyword is None and api in TENSOR_OPERANDS:
                    if isinstance(value, cst.Name) and value.value in names:
                        tensor_evidence.add(value.value)
                elif arg.keyword is not None and arg.keyword.value == "training":
                    continue
                elif arg.keyword is not None and arg.keyword.value in TENSOR_KEYWORDS:
                    for element in _tensor_candidates(value):
                        if element in names:
                            tensor_evidence.add(element)
                else:
                    # A shape, an axis, a rate: settings (unless read as `.shape`).
                    bases = _shape_bases(value)
                    for name in _free_names(value):
                        if name in names and name not in bases:
                            config_evidence.add(name)
        elif isinstance(call.func, cst.Name) and call.func.value == "range":
            for arg in call.args:
                config_evidence.update(
                    n.value for n in m.findall(arg.value, m.Name()) if n.value in names
                )

    def _check_body(self, conversion: _Conversion) -> None:
        config = set(conversion.config_names)
        for statement in conversion.body:
            for target in m.findall(statement, m.AssignTarget() | m.AugAssign()):
                for name in bound_names(target.target):
                    if name in config:
                        raise Refusal(f"the setting `{name}` is reassigned in the function")
            for node in m.findall(statement, m.Global() | m.Nonlocal()):
                raise Refusal("it uses `global` or `nonlocal`")
            for node in m.findall(statement, m.Yield()):
                raise Refusal("it is a generator")
            renamed = config | {weight.attribute for weight in conversion.weights}
            for node in m.findall(statement, m.Param() | m.CompFor()):
                target = node.name if isinstance(node, cst.Param) else node.target
                clash = set(bound_names(target)) & renamed
                if clash:
                    raise Refusal(
                        f"an inner function or comprehension rebinds `{sorted(clash)[0]}`"
                    )
            for call in m.findall(statement, m.Call()):
                if self.index.is_api(
                    call.func,
                    "tf.get_variable_scope",
                    "tf.get_collection",
                    "tf.add_to_collection",
                    "tf.placeholder",
                ):
                    raise Refusal(f"it calls `{code_of(call.func)}`")


# Writing the class --------------------------------------------------------------------


class _ClassWriter:
    """Renders a conversion as a Keras 3 layer class."""

    def __init__(self, conversion: _Conversion, context, planner: "_Planner") -> None:
        self.conversion = conversion
        self.context = context
        self.index: ImportIndex = context.imports
        self.keras = self.index.keras_module_name() or "keras"
        self.planner_initializers = planner.initializer_names
        #: module-level initializers other code still uses: their Keras spelling
        #: is written inline instead of the name
        self.inlined_initializers = {
            name: planner.module_initializers[name][2] for name in planner.blocked
        }

    def _settle_attribute_names(self) -> None:
        """Sublayers and containers never take the attribute of a setting or a weight."""
        c = self.conversion
        taken = set(c.config_names) | {w.attribute for w in c.weights}
        for item in [*c.containers, *c.sublayers]:
            attribute = item.attribute
            if attribute in taken:
                attribute = safe_attribute(f"{attribute}_layer", taken)
            taken.add(attribute)
            if attribute != item.attribute:
                if isinstance(item, _Container):
                    for weight in c.weights:
                        if weight.container == item.attribute:
                            weight.container = attribute
                item.attribute = attribute

    def write(self) -> cst.ClassDef:
        c = self.conversion
        self._settle_attribute_names()
        classdef = parse_statements(f"class {c.class_name}({self.keras}.layers.Layer):\n    pass\n")[0]
        docstring = [s for s in c.body[:1] if _is_docstring(s)]
        assert isinstance(classdef, cst.ClassDef)
        members: list[cst.BaseStatement] = list(docstring)
        self.deferred: list[tuple[_Sublayer, list[tuple[str | None, str]], str]] = []
        members.append(self._init())
        if c.weights or self.deferred:
            members.append(self._build())
        members.append(self._call())
        members[0] = members[0].with_changes(leading_lines=[])
        for index in range(1, len(members)):
            members[index] = members[index].with_changes(
                leading_lines=[cst.EmptyLine(indent=False)]
            )
        for member in members:
            for call in m.findall(member, m.Call()):
                canonical = self.index.canonical(call.func) or ""
                if canonical.startswith(("tf1.layers.", "tf.layers.", "tf1.compat.v1.layers.")) or (
                    self.index.is_api(call.func, "tf.get_variable", "tf.variable_scope")
                ) or "compat.v1.layers." in code_of(call.func) or code_of(call.func).endswith(
                    ("get_variable", "variable_scope")
                ):
                    # Never hand out a class that would still create TF1 variables.
                    raise Refusal(
                        f"`{code_of(call.func)}` would be left in the layer unconverted"
                    )
        return classdef.with_changes(
            body=classdef.body.with_changes(body=members),
            leading_lines=c.function.leading_lines,
        )

    # __init__
    def _init(self) -> cst.FunctionDef:
        c = self.conversion
        default = string_literal(c.name_default) if c.name_default is not None else "None"
        signature = render_signature(
            "__init__",
            ["self", *_signature(c.config, c.function), f"name={default}", "**kwargs"],
            indent=4,
        )
        lines = [signature, "    super().__init__(name=name, **kwargs)"]
        for name in c.config_names:
            lines.append(f"    self.{name} = {name}")
        for container in c.containers:
            if container.indexed is not None:
                variable, range_text, scope_text = container.indexed
                lines.append(
                    f"    self.{container.attribute} = [{self.keras}.layers.Layer(name={scope_text}) "
                    f"for {variable} in {range_text}]"
                )
                continue
            lines.append(
                f"    self.{container.attribute} = {self.keras}.layers.Layer("
                f"name={string_literal(container.scope)})"
            )
        visible = set(c.config_names) | _module_level_names(self.context.module) | {self.keras}
        shape_locals = set(self._shape_locals())
        for sublayer in c.sublayers:
            if sublayer.callee is not None:
                arguments = [
                    (key, code_of(value)) for key, value in sublayer.constructor_arguments
                ]
                class_name = sublayer.callee.class_name
            else:
                arguments = list(sublayer.keras_arguments)
                class_name = f"{self.keras}.layers.{sublayer.keras_class}"
            allowed = visible | ({sublayer.indexed[0]} if sublayer.indexed else set())
            checked = [text for _, text in arguments]
            if sublayer.indexed:
                checked += [sublayer.indexed[1], sublayer.indexed[2]]
            unknown = {
                name
                for text in checked
                for name in _free_names(cst.parse_expression(text))
                if name not in allowed and name not in _BUILTINS
            }
            if unknown and unknown <= shape_locals:
                # Configured from an input's shape: created in build, as Keras does.
                self.deferred.append((sublayer, arguments, class_name))
                continue
            if unknown:
                raise Refusal(
                    f"the layer `{sublayer.scope}` is configured with `{sorted(unknown)[0]}`, "
                    "which is only known when the function runs"
                )
            lines.append("    " + self._sublayer_creation(sublayer, arguments, class_name).replace("\n", "\n    "))
        return parse_statements("\n".join(lines) + "\n")[0]

    def _sublayer_creation(self, sublayer: _Sublayer, arguments, class_name: str) -> str:
        """`self.x = Cls(..., name="x")`, or a list of them for indexed scopes."""
        if sublayer.indexed:
            variable, range_text, scope_text = sublayer.indexed
            arguments = [*arguments, ("name", scope_text)]
            element = render_call("", class_name, arguments, indent=0)
            line = f"self.{sublayer.attribute} = [{element} for {variable} in {range_text}]"
            if 8 + len(line) > 88 and "\n" not in element:
                line = (
                    f"self.{sublayer.attribute} = [\n    {element}\n"
                    f"    for {variable} in {range_text}\n]"
                )
            return line
        arguments = [*arguments, ("name", string_literal(sublayer.scope))]
        return render_call(f"self.{sublayer.attribute} = ", class_name, arguments, indent=8)

    # build
    def _build(self) -> cst.FunctionDef:
        c = self.conversion
        shapes = {name: f"{name.rstrip('_') or name}_shape" for name in c.tensor_names}
        if len(set(shapes.values())) != len(shapes):
            shapes = {name: f"{name}_shape" for name in c.tensor_names}
        signature = ["self"]
        for param in c.tensors:
            default = "=None" if param.default is not None else ""
            signature.append(f"{shapes[param.name.value]}{default}")
        renames = {name: f"self.{name}" for name in c.config_names}
        forbidden = self._locals_of_body()
        self.prelude: list[cst.BaseStatement] = []
        self.prelude_names: set[str] = set()
        statements = []
        loops: dict[tuple[str, str], list[_Weight]] = {}
        for weight in c.weights:
            if weight.indexed is not None:
                loops.setdefault(weight.indexed, []).append(weight)
                continue
            statements.append(self._add_weight(weight, shapes, renames, forbidden))
        for (variable, range_text), weights in loops.items():
            allowed = {k: v for k, v in forbidden.items() if k != variable}
            appends = [self._add_weight(w, shapes, renames, allowed) for w in weights]
            range_code = code_of(rename_locals(cst.parse_expression(range_text), renames, {}))
            loop = parse_statements(
                "".join(f"self.{w.attribute} = []\n" for w in weights)
                + f"for {variable} in {range_code}:\n    pass\n"
            )
            *empties, for_statement = loop
            for_statement = for_statement.with_changes(
                body=for_statement.body.with_changes(body=appends)
            )
            statements.extend([*empties, for_statement])
        definitions = self._shape_locals()
        for sublayer, arguments, class_name in self.deferred:
            moved_arguments = []
            for key, text in arguments:
                expression = lift_input_shapes(cst.parse_expression(text), shapes)
                for name in _free_names(expression):
                    if name in definitions and name not in renames:
                        self._lift_local(name, shapes, renames, forbidden, definitions, set())
                allowed = {k: v for k, v in forbidden.items() if k not in self.prelude_names}
                if sublayer.indexed:
                    allowed.pop(sublayer.indexed[0], None)
                moved_arguments.append((key, code_of(rename_locals(expression, renames, allowed))))
            if sublayer.indexed:
                variable, range_text, scope_text = sublayer.indexed
                range_code = code_of(
                    rename_locals(cst.parse_expression(range_text), renames, {})
                )
                sublayer = dataclasses.replace(sublayer, indexed=(variable, range_code, scope_text))
            statements.extend(
                parse_statements(self._sublayer_creation(sublayer, moved_arguments, class_name) + "\n")
            )
        text = render_signature("build", signature, indent=4) + "\n    pass\n"
        build = parse_statements(text)[0]
        return build.with_changes(body=build.body.with_changes(body=self.prelude + statements))

    def _shape_locals(self) -> dict[str, cst.SimpleStatementLine]:
        """Locals defined once by a plain assignment, possibly inside nested scopes:
        the ones a weight's shape may use (`n_in = x.get_shape()[-1].value`)."""
        counts: dict[str, int] = {}
        for statement in self.conversion.body:
            for target in m.findall(statement, m.AssignTarget() | m.AugAssign() | m.For()):
                for name in bound_names(target.target):
                    counts[name] = counts.get(name, 0) + 1
        found: dict[str, cst.SimpleStatementLine] = {}

        def walk(statements) -> None:
            for statement in statements:
                if isinstance(statement, cst.With) and any(
                    isinstance(item.item, cst.Call)
                    and self.index.is_api(item.item.func, "tf.variable_scope")
                    for item in statement.items
                ):
                    walk(statement.body.body)
                    continue
                if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
                    continue
                small = statement.body[0]
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    names = bound_names(small.targets[0].target)
                    if names and all(counts.get(name) == 1 for name in names):
                        for name in names:
                            found[name] = statement

        walk(self.conversion.body)
        return found

    def _lift_local(self, name, shapes, renames, forbidden, definitions, seen) -> None:
        """Copy the definition of the local ``name`` (and those it needs) into build."""
        if name in self.prelude_names:
            return
        if name in seen:
            raise Refusal(f"the local `{name}` is defined in terms of itself")
        seen = seen | {name}
        statement = definitions[name]
        assign = statement.body[0]
        value = lift_input_shapes(assign.value, shapes)
        for needed in m.findall(value, m.Name()):
            if needed.value in definitions and needed.value not in renames:
                self._lift_local(needed.value, shapes, renames, forbidden, definitions, seen)
        allowed = {k: v for k, v in forbidden.items() if k not in self.prelude_names}
        value = rename_locals(value, renames, allowed)
        self.prelude.append(
            statement.with_changes(
                body=[assign.with_changes(value=value)],
                leading_lines=[line for line in statement.leading_lines if line.comment is not None],
            )
        )
        self.prelude_names.update(bound_names(assign.targets[0].target))

    def _locals_of_body(self) -> dict[str, str]:
        c = self.conversion
        described = {}
        for statement in c.body:
            for target in m.findall(statement, m.AssignTarget() | m.AugAssign() | m.For()):
                node = target.target
                for name in bound_names(node):
                    described[name] = f"a local variable of `{c.function.name.value}`"
        return described

    def _add_weight(self, weight: _Weight, shapes, renames, forbidden) -> cst.SimpleStatementLine:
        arguments = weight.arguments

        definitions = self._shape_locals()

        def moved(expression: cst.BaseExpression) -> cst.BaseExpression:
            lifted = lift_input_shapes(expression, shapes)
            for name in m.findall(lifted, m.Name()):
                if name.value in definitions and name.value not in renames:
                    self._lift_local(name.value, shapes, renames, forbidden, definitions, set())
            allowed = {k: v for k, v in forbidden.items() if k not in self.prelude_names}
            return rename_locals(lifted, renames, allowed)

        if "shape" not in arguments or is_none(arguments["shape"]):
            raise Refusal(f"`{weight.tf_name}` has no shape")
        call_arguments: list[tuple[str | None, str]] = [
            ("name", string_literal(weight.tf_name)),
            ("shape", code_of(moved(arguments["shape"]))),
        ]
        dtype = None
        if "dtype" in arguments and not is_none(arguments["dtype"]):
            dtype = dtype_name(arguments["dtype"], self.index)
        initializer = arguments.get("initializer")
        if (initializer is None or is_none(initializer)) and self.conversion.scope_initializer is not None:
            # The scope's `initializer=` is the default of every variable in it.
            initializer = self.conversion.scope_initializer
        if initializer is None or is_none(initializer):
            # TF1's default for floats, as Keras 3's; ints and bools start at zero.
            floating = dtype is None or dtype.startswith(("float", "bfloat", "half"))
            initializer_text = '"glorot_uniform"' if floating else '"zeros"'
        elif isinstance(initializer, cst.Name) and initializer.value in self.inlined_initializers:
            initializer_text = self.inlined_initializers[initializer.value]
        else:
            initializer_text = keras_initializer(
                moved(initializer), self.index, self.keras, self.planner_initializers
            )
        call_arguments.append(("initializer", initializer_text))
        if dtype is not None and dtype != "float32":
            call_arguments.append(("dtype", string_literal(dtype)))
        trainable = arguments.get("trainable")
        if trainable is not None and not is_none(trainable) and not m.matches(trainable, m.Name("True")):
            call_arguments.append(("trainable", code_of(moved(trainable))))
        regularizer = arguments.get("regularizer")
        if regularizer is not None and not is_none(regularizer):
            call_arguments.append(
                ("regularizer", keras_regularizer(moved(regularizer), self.index, self.keras))
            )
        constraint = arguments.get("constraint")
        if constraint is not None and not is_none(constraint):
            call_arguments.append(("constraint", code_of(moved(constraint))))
        owner = f"self.{weight.container}" if weight.container else "self"
        if weight.indexed is not None:
            owner = f"{owner}[{weight.indexed[0]}]"
            text = render_call(
                f"self.{weight.attribute}.append(", f"{owner}.add_weight", call_arguments, indent=12
            ) + ")"
            if "\n" in text:
                inner = render_call("", f"{owner}.add_weight", call_arguments, indent=16)
                text = f"self.{weight.attribute}.append(\n" + "\n".join(
                    "    " + line for line in inner.splitlines()
                ) + "\n)"
        else:
            text = render_call(
                f"self.{weight.attribute} = ", f"{owner}.add_weight", call_arguments, indent=8
            )
        statement = parse_statements(text + "\n")[0]
        comments = [line for line in weight.statement.leading_lines if line.comment is not None]
        return statement.with_changes(
            leading_lines=comments, trailing_whitespace=weight.statement.trailing_whitespace
        )

    # call
    def _call(self) -> cst.FunctionDef:
        c = self.conversion
        signature = ["self", *_signature(c.tensors, c.function)]
        if c.training is not None:
            default = code_of(c.training.default) if c.training.default is not None else "None"
            signature.append(f"training={default}")
        text = render_signature("call", signature, indent=4) + "\n    pass\n"
        call = parse_statements(text)[0]
        body = [s for s in c.body if not _is_docstring(s)]
        rewriter = _CallBodyRewriter(c, self.index, self.keras)
        rewritten = []
        for statement in body:
            result = statement.visit(rewriter)
            if isinstance(result, cst.FlattenSentinel):
                rewritten.extend(result.nodes)
            elif not isinstance(result, cst.RemovalSentinel):
                rewritten.append(result)
        body = _without_dead_definitions(rewritten, getattr(self, "prelude_names", set()))
        if body:
            body[0] = body[0].with_changes(
                leading_lines=[line for line in body[0].leading_lines if line.comment is not None]
            )
        else:
            body = [cst.SimpleStatementLine(body=[cst.Pass()])]
        return call.with_changes(body=call.body.with_changes(body=body))


class _CallBodyRewriter(cst.CSTTransformer):
    """Rewrites the function body into ``call``: variables and settings become
    attributes, calls of converted functions become sublayer calls, and (in TF1
    files) ops whose TF2 meaning changed are spelled ``tf.compat.v1``."""

    def __init__(self, conversion: _Conversion, index: ImportIndex, keras: str) -> None:
        super().__init__()
        self.index = index
        self.keras = keras
        self.uses_name_scope = False
        self.renames = {
            weight.local: f"self.{weight.attribute}"
            + (f"[{weight.indexed[0]}]" if weight.indexed is not None else "")
            for weight in conversion.weights
        }
        self.weight_locals = {weight.local for weight in conversion.weights}
        self.numpy_names = _numpy_valued_names(conversion, index)
        self.renames.update({name: f"self.{name}" for name in conversion.config_names})
        if conversion.training is not None and conversion.training.name.value != "training":
            self.renames[conversion.training.name.value] = "training"
        self.sublayers = {
            id(call): sublayer for sublayer in conversion.sublayers for call in sublayer.calls
        }
        self.removed = {id(weight.statement) for weight in conversion.weights} | {
            id(statement) for statement in conversion.reuse_statements
        }

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if id(original_node) in self.removed:
            return cst.RemovalSentinel.REMOVE
        return updated_node

    def leave_BinaryOperation(self, original_node, updated_node):
        # Keras 3 variables do arithmetic through keras.ops type promotion: a float32
        # weight times a numpy float64 becomes float64 (TF1 kept float32). Reading
        # the weight's value keeps TensorFlow's rules.
        sides = (("left", original_node.left, original_node.right), ("right", original_node.right, original_node.left))
        changes = {}
        for field, side, other in sides:
            if (
                isinstance(side, cst.Name)
                and side.value in self.weight_locals
                and _is_numpy_valued(other, self.index, self.numpy_names)
            ):
                changes[field] = cst.Attribute(value=getattr(updated_node, field), attr=cst.Name("value"))
        return updated_node.with_changes(**changes) if changes else updated_node

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        item = original_node.items[0].item if len(original_node.items) == 1 else None
        if not (isinstance(item, cst.Call) and self.index.is_api(item.func, "tf.variable_scope")):
            return updated_node
        scope = bind_arguments(item, VARIABLE_SCOPE_PARAMETERS)["name_or_scope"]
        if any(id(call) in self.sublayers for call in m.findall(original_node, m.Call())):
            # Sublayers built under this name get it in their paths, as in TF1.
            self.uses_name_scope = True
            return updated_node.with_changes(
                items=[
                    updated_node.items[0].with_changes(
                        item=cst.parse_expression(
                            f"{self.keras}.name_scope({code_of(scope)})"
                        ),
                        asname=None,
                    )
                ]
            )
        body = list(updated_node.body.body)
        if not body:
            return cst.RemovalSentinel.REMOVE
        leading = [line for line in original_node.leading_lines if line.comment is not None]
        body[0] = body[0].with_changes(leading_lines=[*leading, *body[0].leading_lines])
        return cst.FlattenSentinel(body)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return False

    def leave_Attribute(self, original_node, updated_node):
        value = updated_node.value.visit(self)
        if updated_node.attr.value == "value" and _is_static_dimension(value):
            # TF1's Dimension objects are plain ints (or None) in TF2.
            return value
        return updated_node.with_changes(value=value)

    def visit_Arg(self, node: cst.Arg) -> bool:
        return False

    def leave_Arg(self, original_node, updated_node):
        return updated_node.with_changes(value=updated_node.value.visit(self))

    def leave_Name(self, original_node, updated_node):
        if original_node.value in self.renames:
            return cst.parse_expression(self.renames[original_node.value])
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        sublayer = self.sublayers.get(id(original_node))
        if sublayer is not None:
            arguments = []
            for key, value in sublayer.tensor_arguments[id(original_node)]:
                new_value = value.visit(self)
                arguments.append(
                    cst.Arg(value=new_value)
                    if key is None
                    else cst.Arg(
                        keyword=cst.Name(key),
                        value=new_value,
                        equal=cst.AssignEqual(
                            whitespace_before=cst.SimpleWhitespace(""),
                            whitespace_after=cst.SimpleWhitespace(""),
                        ),
                    )
                )
            for position in range(len(arguments) - 1):
                arguments[position] = arguments[position].with_changes(
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                )
            target = f"self.{sublayer.attribute}"
            if sublayer.indexed is not None:
                target += f"[{sublayer.indexed[0]}]"
            return cst.Call(func=cst.parse_expression(target), args=arguments)
        if self.index.tf1:
            qualified = self.index.qualified_name(original_node.func)
            if qualified is not None and qualified.startswith("tensorflow.") and not qualified.startswith(
                ("tensorflow.compat.", "tensorflow.keras")
            ):
                api = qualified[len("tensorflow.") :]
                keywords = [arg.keyword.value for arg in original_node.args if arg.keyword is not None]
                positional = sum(1 for arg in original_node.args if arg.keyword is None)
                if any(arg.star for arg in original_node.args):
                    positional = 99
                spelled = tf2_spelling(api, positional, keywords)
                if spelled != api:
                    head = dotted_name(original_node.func).split(".")[0]
                    return updated_node.with_changes(
                        func=cst.parse_expression(f"{head}.{spelled}")
                    )
        return updated_node


# Helpers ---------------------------------------------------------------------------------


def _numpy_valued_names(conversion: _Conversion, index: ImportIndex) -> set[str]:
    """Settings and locals whose value comes from numpy (`gain=np.sqrt(2.0)`)."""
    names = set()
    for param in conversion.config:
        if param.default is not None and _is_numpy_valued(param.default, index, names):
            names.add(param.name.value)
    for statement in conversion.body:
        for assign in m.findall(statement, m.Assign()):
            if _is_numpy_valued(assign.value, index, names):
                for target in assign.targets:
                    names.update(bound_names(target.target))
    return names


def _is_numpy_valued(node: cst.BaseExpression, index: ImportIndex, names: set[str]) -> bool:
    for name in _free_names(node):
        if name in names:
            return True
        if (index.bindings.get(name) or "").split(".")[0] == "numpy":
            return True
    return False


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _is_static_dimension(node: cst.BaseExpression) -> bool:
    """`x.shape[i]` or `x.get_shape()[i]`: a TF1 Dimension."""
    if not isinstance(node, cst.Subscript):
        return False
    base = node.value
    if isinstance(base, cst.Attribute) and base.attr.value == "shape":
        return True
    return (
        isinstance(base, cst.Call)
        and isinstance(base.func, cst.Attribute)
        and base.func.attr.value == "get_shape"
    )


def _free_names(node: cst.CSTNode) -> set[str]:
    """Variable names ``node`` reads (not attribute or keyword names)."""
    found: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Arg(self, arg: cst.Arg) -> bool:
            arg.value.visit(self)
            return False

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            params = {p.name.value for p in node.params.params}
            found.update(_free_names(node.body) - params)
            return False

        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

    node.visit(Finder())
    return found


def _reads(node: cst.CSTNode, name: str) -> bool:
    """Whether ``node`` refers to the variable ``name`` (a keyword argument's name or
    an attribute's name is not a reference)."""

    class Finder(cst.CSTVisitor):
        found = False

        def visit_Arg(self, arg: cst.Arg) -> bool:
            arg.value.visit(self)
            return False

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Name(self, candidate: cst.Name) -> None:
            if candidate.value == name:
                self.found = True

    finder = Finder()
    node.visit(finder)
    return finder.found


def _is_string(node) -> bool:
    return isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str)


def _is_literal(node) -> bool:
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return node.value != "None"
    if isinstance(node, cst.UnaryOperation):
        return _is_literal(node.expression)
    if isinstance(node, (cst.Tuple, cst.List)):
        return all(_is_literal(element.value) for element in node.elements)
    return False


def _is_docstring(statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _param(function: cst.FunctionDef, name: str) -> cst.Param | None:
    for param in [*function.params.params, *function.params.kwonly_params]:
        if param.name.value == name:
            return param
    return None


def _param_text(param: cst.Param) -> str:
    text = param.name.value
    if param.annotation is not None:
        text += f": {code_of(param.annotation.annotation)}"
    if param.default is not None:
        separator = " = " if param.annotation is not None else "="
        text += f"{separator}{code_of(param.default)}"
    return text


def _without_dead_definitions(body: list, names: set[str]) -> list:
    """Drop assignments to ``names`` (moved to build) that nothing in ``body`` reads."""
    if not names:
        return body

    def reads(statement, name) -> bool:
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if isinstance(small, cst.Assign):
                return _reads(small.value, name)
        return _reads(statement, name)

    def defines_only(statement) -> set[str]:
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                return set(bound_names(small.targets[0].target))
        return set()

    result = list(body)
    changed = True
    while changed:
        changed = False
        for statement in list(result):
            defined = defines_only(statement)
            if defined and defined <= names and not any(
                reads(other, name) for other in result if other is not statement for name in defined
            ):
                result.remove(statement)
                changed = True
    return result


def _signature(params: list[cst.Param], function: cst.FunctionDef) -> list[str]:
    """Parameter texts in their original order, keyword-only ones after a `*`."""
    keyword_only = {id(p) for p in function.params.kwonly_params}
    positional = [_param_text(p) for p in params if id(p) not in keyword_only]
    named = [_param_text(p) for p in params if id(p) in keyword_only]
    return positional + (["*", *named] if named else [])


def _tensor_candidates(value: cst.BaseExpression) -> list[str]:
    """Names that a tensor argument holds: `x`, or each element of `[x, y]`."""
    if isinstance(value, cst.Name):
        return [value.value]
    if isinstance(value, (cst.List, cst.Tuple)):
        return [e.value.value for e in value.elements if isinstance(e.value, cst.Name)]
    return []


def _shape_bases(expression: cst.BaseExpression) -> set[str]:
    """Names whose static shape (not value) ``expression`` reads: `x` in `x.shape[-1]`."""
    bases = set()
    for node in m.findall(expression, m.Attribute()):
        if isinstance(node.value, cst.Name) and node.attr.value in ("get_shape", "shape"):
            bases.add(node.value.value)
    for call in m.findall(expression, m.Call(func=m.Name())):
        if call.func.value in ("shape_list", "get_shape_list") and call.args:
            if isinstance(call.args[0].value, cst.Name):
                bases.add(call.args[0].value.value)
    return bases


def _inline_initializer_names(call: cst.Call, values: dict) -> cst.Call:
    """`kernel_initializer=weight_init` -> the initializer expression itself."""
    if not values:
        return call
    args = [
        arg.with_changes(value=values[arg.value.value])
        if isinstance(arg.value, cst.Name) and arg.value.value in values
        else arg
        for arg in call.args
    ]
    return call.with_changes(args=args)


def _module_initializers(module: cst.Module, index: ImportIndex) -> dict[str, tuple]:
    """Module-level `name = <initializer>` bound once: name -> (statement, value,
    its Keras 3 spelling)."""
    counts: dict[str, int] = {}
    found = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for target in m.findall(statement, m.AssignTarget()):
            for name in bound_names(target.target):
                counts[name] = counts.get(name, 0) + 1
        if len(statement.body) != 1 or not isinstance(statement.body[0], cst.Assign):
            continue
        assign = statement.body[0]
        if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
            continue
        if not isinstance(assign.value, cst.Call):
            continue
        try:
            keras_text = keras_initializer(
                assign.value, index, index.keras_module_name() or "keras"
            )
        except Refusal:
            continue
        found[assign.targets[0].target.value] = (statement, assign.value, keras_text)
    return {name: value for name, value in found.items() if counts.get(name) == 1}


def _initializers_shared_with_other_code(module, initializers, conversions) -> frozenset[str]:
    """Module-level initializers read outside the converted functions' initializer
    arguments: they cannot be rewritten to Keras initializers."""
    converted = {id(c.function) for c in conversions}
    shared = set()
    for name, (statement, _, _) in initializers.items():
        for top in module.body:
            if top is statement:
                continue
            if id(top) in converted:
                if _reads_outside_initializer_arguments(top, name):
                    shared.add(name)
            elif _reads(top, name):
                shared.add(name)
    return frozenset(shared)


def _reads_outside_initializer_arguments(function: cst.CSTNode, name: str) -> bool:
    for call in m.findall(function, m.Call()):
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value.endswith("initializer"):
                continue
            if m.matches(arg.value, m.Name(name)) and arg.keyword is None:
                # positional initializer of get_variable ("name", shape, dtype, init)
                continue
            if _reads(arg.value, name):
                return True
    return False


def _module_level_names(module: cst.Module) -> set[str]:
    names: set[str] = set()
    index = ImportIndex.from_module(module, source="")
    names.update(index.bindings)
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for target in m.findall(statement, m.AssignTarget()):
                names.update(bound_names(target.target))
    return names
