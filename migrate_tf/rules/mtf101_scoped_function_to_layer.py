"""MTF101 scoped-function-to-layer: TF1 graph functions become Keras 3 layers."""

from __future__ import annotations

import libcst as cst

from migrate_tf.rules.base import Rule
from migrate_tf.shared.codegen import keras_reference, parse_statements
from migrate_tf.shared.lambdas import lambda_only_functions
from migrate_tf.shared.names import reads
from migrate_tf.shared.scoped_functions import (
    LayerPlan,
    Planner,
    initializers_shared_with_other_code,
)


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
    nested scopes deep; or the function is decorated, nested, used as a value
    (stored, passed as a callback, exported in `__all__`: a class cannot stand in
    for it), or has a statement under `# migrate-tf: ignore`. A function that is only ever wrapped by
    `keras.layers.Lambda(...)` is MTF203's: it becomes a layer there, and the
    `Lambda` an instance of it.

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
        self._conversions: dict[int, LayerPlan] = {}
        self._converted_names: dict[str, LayerPlan] = {}
        self._inside_converted = 0

    # Traversal -------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        blocked: frozenset[str] = frozenset()
        # A function only a keras.layers.Lambda wraps is MTF203's.
        wrapped = frozenset(lambda_only_functions(node, self.context.imports))
        planner = Planner(node, self.context, self, blocked, exclude=wrapped)
        self._conversions = planner.plan()
        while True:
            shared = initializers_shared_with_other_code(
                node, planner.module_initializers, self._conversions.values()
            )
            if shared <= blocked:
                break
            newly_blocked = shared - blocked
            blocked = blocked | shared
            if not (newly_blocked & planner.consulted):
                # No decision of that planning asked about the names now blocked:
                # planning again would decide exactly the same (Planner.consulted),
                # and share the same initializers, so the loop would end there.
                break
            planner = Planner(node, self.context, self, blocked, exclude=wrapped)
            self._conversions = planner.plan()
        for finding_node, message, statement in planner.findings:
            self.report(finding_node, message, statement=statement)
        for name in sorted(blocked):
            statement = planner.module_initializers[name][0]
            if any(reads(c.function, name) for c in self._conversions.values()):
                self.report(
                    statement,
                    f"`{name}` is a TF1 initializer that code which was not converted "
                    "still uses; the converted layers use its Keras 3 equivalent inline",
                )
        used = {
            name
            for conversion in self._conversions.values()
            for name in planner.module_initializers
            if name not in blocked and reads(conversion.function, name)
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


