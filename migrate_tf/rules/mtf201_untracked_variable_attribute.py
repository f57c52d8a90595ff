"""MTF201 untracked-variable-attribute: raw ``tf.Variable`` attributes of Keras layers."""

from __future__ import annotations

import libcst as cst

from migrate_tf.shared.codegen import code_of, parse_statements
from migrate_tf.shared.initializers import Refusal
from migrate_tf.shared.layer_rules import LayerClassRule
from migrate_tf.shared.names import is_attribute_of, single_assignment
from migrate_tf.shared.layers import (
    blank_lines_between_methods,
    insert_into_build,
    new_build_method,
    self_name,
)
from migrate_tf.shared.walk import descendants, find
from migrate_tf.shared.weight_moves import (
    CREATION_METHODS,
    ClassPlan,
    ClassWeights,
    add_method,
    class_level_names,
)


class UntrackedVariableAttribute(LayerClassRule):
    """
    ## What it does
    In a subclass of a Keras `Layer` or `Model` (any import spelling: `tf.keras`,
    `keras`, `from tensorflow.keras.layers import Layer`, aliases, and subclasses of
    such classes in the same module), rewrites each `self.x = tf.Variable(...)` made in
    `__init__`, `build` or `call` into `self.x = self.add_weight(...)` inside `build`.
    The initial value becomes an initializer with the same distribution (zeros, ones,
    fill and constant values, random normal / uniform / truncated normal with
    TensorFlow's defaults written out, Keras and TF1 initializer objects); a value no
    initializer matches is kept exactly through a callable initializer. `build` is
    created when the layer has none; shapes that used constructor arguments use the
    attributes that store them, and shapes that used a `call` input use the shape
    `build` receives.

    ## Why is this bad?
    Keras 3 (TensorFlow 2.16 and later, `import keras` or `tf.keras`) does not track a
    `tf.Variable` assigned to a layer attribute. Measured on TensorFlow 2.21 / Keras
    3.15: `layer.trainable_weights == []`, so `model.fit` and every optimizer silently
    leave the variable at its initial value, and it is missing from `layer.weights`
    and from `.keras` saves. Keras 2 tracked it, so the code trained correctly until
    the upgrade. A variable created in `call` is worse: a new one on every call.

    ## Example
    ```python
    class Scale(tf.keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.w = tf.Variable(tf.random.normal([4, units]), name="kernel")

        def call(self, x):
            return tf.matmul(x, self.w)
    ```

    ## Use instead
    ```python
    class Scale(tf.keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(
                name="kernel",
                shape=[4, self.units],
                initializer=keras.initializers.RandomNormal(stddev=1.0),
            )

        def call(self, x):
            return tf.matmul(x, self.w)
    ```
    `stddev=1.0` is `tf.random.normal`'s default, written out because Keras'
    `RandomNormal` defaults to 0.05. The weight's path is `scale/kernel`.

    ## Fix safety
    The layer computes the same function from the same initial distribution. Weights
    now exist once the layer is built (on its first call, as for every Keras layer)
    rather than right after construction; a variable that `__init__` reads again is
    therefore not moved. The weight's name is the `name=` given to `tf.Variable`, or
    the attribute name.

    ## When it refuses
    The code is left unchanged and a finding says why when: the shape of the initial
    value cannot be decided statically (for example a value passed in as an
    argument); the initial value needs a local variable or the value (not only the
    static shape) of a `call` input; the variable is created conditionally in
    `__init__` or `build` (inside `if`, `for`, `try`) or in a list; `__init__` uses
    the variable after creating it; the `name=` is computed or contains `/`;
    `tf.Variable` gets arguments `add_weight` has no equivalent for (`shape=`,
    `synchronization=`, `aggregation=`, `caching_device=`); the dtype cannot be
    decided; the variable is created in another method. In `call`, this rule takes
    only direct `self.x = tf.Variable(...)` statements: a variable created under a
    first-call guard (`if not hasattr(self, ...)`) or in any other way is MTF206's,
    one created by a `keras.layers.Lambda`'s function MTF203's. Classes that are not
    Keras layers (`tf.Module` subclasses are MTF202's) are left alone, as is code
    under a `# migrate-tf: ignore` comment (on a statement, a method's `def` line or
    the `class` line).

    ## References
    - Keras 3 `Layer.add_weight`: keyword arguments only.
    - `../shared/BRIEF.md` of this project: the tracking table.
    """

    CODE = "MTF201"
    NAME = "untracked-variable-attribute"
    SUMMARY = (
        "A `tf.Variable` stored on a Keras layer is not tracked by Keras 3; "
        "create it with `self.add_weight` in `build`."
    )
    TRIGGERS = ("Variable",)

    # Traversal -------------------------------------------------------------------

    def plan_class(self, classdef: cst.ClassDef, kind: str) -> ClassPlan | None:
        return self._plan(classdef, kind)

    def leave_SimpleStatementLine(self, original_node, updated_node):
        plan = self.plan
        if plan is None:
            return updated_node
        if id(original_node) in plan.removed:
            return cst.RemovalSentinel.REMOVE
        conversion = plan.by_statement().get(id(original_node))
        if conversion is None:
            return updated_node
        if conversion.origin == "build":
            return conversion.replacement
        if conversion.stores:
            self_param = code_of(conversion.replacement.body[0].targets[0].target.value)
            return cst.FlattenSentinel(
                parse_statements(
                    "".join(f"{self_param}.{name} = {name}\n" for name in conversion.stores)
                )
            )
        return cst.RemovalSentinel.REMOVE

    def leave_FunctionDef(self, original_node, updated_node):
        plan = self.plan
        if plan is None or id(original_node) not in plan.touched_methods:
            return updated_node
        if original_node is plan.build:
            updated_node = insert_into_build(
                updated_node,
                [c.replacement for c in plan.conversions if c.origin == "__init__"],
                [c.replacement for c in plan.conversions if c.origin == "call"],
            )
        if not updated_node.body.body:
            updated_node = updated_node.with_changes(
                body=updated_node.body.with_changes(
                    body=[cst.SimpleStatementLine(body=[cst.Pass()])]
                )
            )
        return updated_node

    def finish_class(self, original_node, updated_node, plan):
        if plan.new_build is None:
            return updated_node
        return add_method(updated_node, plan.new_build)

    # Planning -------------------------------------------------------------------

    def _plan(self, classdef: cst.ClassDef, kind: str) -> ClassPlan | None:
        index = self.context.imports
        # Everything below is about `tf.Variable` calls: most layers make none.
        if not any(index.is_api(call.func, "tf.Variable") for call in find(classdef, cst.Call)):
            return None
        assigned_attributes: dict[str, int] = {}
        candidates: list[tuple[str, cst.SimpleStatementLine, cst.Attribute, cst.Call]] = []
        #: methods under `# migrate-tf: ignore`: nothing in them is read or changed
        suppressed_methods: set[str] = set()

        body = classdef.body.body if isinstance(classdef.body, cst.IndentedBlock) else ()
        for function in body:
            if not isinstance(function, cst.FunctionDef):
                continue
            self_param = self_name(function)
            direct: set[int] = set()
            if self.is_suppressed(function):
                suppressed_methods.add(function.name.value)
                continue
            if function.name.value in CREATION_METHODS and self_param:
                for statement in function.body.body:
                    found = self._direct_variable_assignment(statement, self_param)
                    if found is not None:
                        target, call = found
                        direct.add(id(call))
                        candidates.append((function.name.value, statement, target, call))
            # Other variables made in `call` are MTF206's (guarded creation) and
            # MTF203's (inside a Lambda's function): not reported here.
            for call in [] if function.name.value == "call" else find(function, cst.Call):
                if id(call) in direct or not index.is_api(call.func, "tf.Variable"):
                    continue
                self.report(call, self._why_not_direct(function, call))
            # Count every `self.x = ...` so a variable assigned twice is not moved.
            if self_param:
                for target in find(function, cst.AssignTarget):
                    if is_attribute_of(target.target, self_param):
                        attribute = target.target.attr.value
                        assigned_attributes[attribute] = assigned_attributes.get(attribute, 0) + 1

        weights = ClassWeights(
            self.context,
            classdef,
            self.depth,
            set(assigned_attributes) | class_level_names(classdef),
        )
        methods, plan, build = weights.methods, weights.plan, weights.plan.build
        for origin, statement, target, call in candidates:
            if self.is_suppressed(statement):
                continue
            try:
                if assigned_attributes.get(target.attr.value, 0) > 1:
                    raise Refusal(f"`{code_of(target)}` is assigned more than once")
                if origin != "build" and "build" in suppressed_methods:
                    raise Refusal("`build` is marked `# migrate-tf: ignore`, so nothing can move into it")
                conversion = weights.variable_move(origin, statement, target, call)
            except Refusal as refusal:
                self.report(
                    call,
                    f"`{code_of(target)}` is a tf.Variable that Keras 3 does not track; "
                    f"not converted: {refusal}",
                    statement=statement,
                )
                continue
            plan.conversions.append(conversion)

        if not plan.conversions:
            return None
        self.changed = True
        self.record(classdef, "layer-class", classdef.name.value, classdef.name.value)
        weights.drop_unused_initializer_locals()
        for conversion in plan.conversions:
            plan.touched_methods.add(id(methods[conversion.origin]))
        moving = [c for c in plan.conversions if c.origin != "build"]
        if moving:
            if build is not None:
                plan.touched_methods.add(id(build))
            else:
                init = methods["__init__"] or methods["call"]
                self_param = self_name(init) if init is not None else "self"
                plan.new_build = new_build_method(
                    self_param or "self",
                    weights.shape_parameter(),
                    [c.replacement for c in plan.conversions if c.origin == "__init__"]
                    + [c.replacement for c in plan.conversions if c.origin == "call"],
                    call_super=(kind == "derived"),
                    blank_lines=blank_lines_between_methods(classdef),
                )
        return plan

    def _direct_variable_assignment(self, statement, self_param):
        """(target, call) for a top-level `self.x = tf.Variable(...)` statement."""
        found = single_assignment(statement)
        if found is None:
            return None
        target, value = found
        if not is_attribute_of(target, self_param):
            return None
        if not isinstance(value, cst.Call) or not self.context.imports.is_api(value.func, "tf.Variable"):
            return None
        return target, value

    def _why_not_direct(self, function: cst.FunctionDef, call: cst.Call) -> str:
        prefix = "a tf.Variable created here is not tracked by Keras 3; not converted: "
        name = function.name.value
        if name not in CREATION_METHODS:
            return prefix + (
                f"it is created in `{name}`; create it with `self.add_weight` in `build`"
            )
        for node in find(function, cst.If, cst.For, cst.While, cst.Try, cst.With):
            if any(found is call for found in descendants(node)):
                keyword = type(node).__name__.lower()
                return prefix + (
                    f"it is created conditionally (inside `{keyword}`); "
                    "create it once with `self.add_weight` in `build`"
                )
        return prefix + (
            "it is not stored directly as `self.<name> = tf.Variable(...)` "
            "(a local, a list or an expression)"
        )
