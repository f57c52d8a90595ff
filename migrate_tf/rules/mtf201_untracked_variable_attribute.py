"""MTF201 untracked-variable-attribute: raw ``tf.Variable`` attributes of Keras layers."""

from __future__ import annotations

import dataclasses
import re

import libcst as cst
import libcst.matchers as m

from migrate_tf.rules.base import Rule
from migrate_tf.shared.codegen import (
    code_of,
    keras_reference,
    parse_statements,
    render_call,
    string_literal,
)
from migrate_tf.shared.initializers import (
    TF_VARIABLE_PARAMETERS,
    TF_VARIABLE_UNSUPPORTED,
    Refusal,
    bind_arguments,
    dtype_name,
    keras_initializer,
    weight_from_initial_value,
)
from migrate_tf.shared.layers import (
    blank_lines_between_methods,
    insert_into_build,
    layer_base_kind,
    method,
    new_build_method,
    self_name,
)
from migrate_tf.shared.shapes import (
    bound_names,
    lift_input_shapes,
    locals_of,
    positional_params,
    rename_locals,
)

VARIABLE_PARAMETERS = TF_VARIABLE_PARAMETERS
UNSUPPORTED_ARGUMENTS = TF_VARIABLE_UNSUPPORTED
CREATION_METHODS = ("__init__", "build", "call")
#: A `keras.` reference that is not part of `tf.keras.`: generated code needs the import.
_BARE_KERAS = re.compile(r"(?<![\w.])keras\.")


@dataclasses.dataclass
class _Conversion:
    statement: cst.SimpleStatementLine  # original `self.x = tf.Variable(...)`
    origin: str  # "__init__", "build" or "call"
    replacement: cst.SimpleStatementLine  # `self.x = self.add_weight(...)`
    #: constructor arguments to store on self where the statement was (`self.n = n`)
    stores: list[str] = dataclasses.field(default_factory=list)
    #: local initializer objects the initial value used (`w_init = ...`)
    inlined: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _ClassPlan:
    conversions: list[_Conversion]
    build: cst.FunctionDef | None  # the class's existing build, original node
    new_build: cst.FunctionDef | None = None  # to insert when the class has none
    touched_methods: set = dataclasses.field(default_factory=set)
    #: `w_init = tf.random_normal_initializer()` statements no longer needed
    removed: set = dataclasses.field(default_factory=set)
    #: constructor arguments already stored by an earlier conversion
    stored: set = dataclasses.field(default_factory=set)

    def by_statement(self) -> dict[int, _Conversion]:
        return {id(conversion.statement): conversion for conversion in self.conversions}


class UntrackedVariableAttribute(Rule):
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
    static shape) of a `call` input; the variable is created conditionally (inside
    `if`, `for`, `try`, or a `hasattr` guard) or in a list; `__init__` uses the
    variable after creating it; the `name=` is computed or contains `/`; `tf.Variable`
    gets arguments `add_weight` has no equivalent for (`shape=`, `synchronization=`,
    `aggregation=`, `caching_device=`); the dtype cannot be decided; the variable is
    created in another method. Classes that are not Keras layers (including
    `tf.Module` subclasses, which need a rule of their own) are left alone, as is
    code under a `# migrate-tf: ignore` comment (on a statement, a method's `def`
    line or the `class` line).

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

    def __init__(self, context) -> None:
        super().__init__(context)
        self.changed = False
        self._local_layers: dict[str, bool] = {}
        self._plans: list[_ClassPlan | None] = []
        self._depth = 0  # nesting of classes, for the line-length decision

    # Traversal -------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._depth += 1
        kind = layer_base_kind(node, self.context.imports, self._local_layers)
        if kind is None or self.is_suppressed(node):
            self._plans.append(None)
            return True
        self._local_layers[node.name.value] = True
        self._plans.append(self._plan(node, kind))
        return True

    def leave_SimpleStatementLine(self, original_node, updated_node):
        plan = self._current_plan()
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
        plan = self._current_plan()
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

    def leave_ClassDef(self, original_node, updated_node):
        self._depth -= 1
        plan = self._plans.pop()
        if plan is None or plan.new_build is None:
            return updated_node
        body = list(updated_node.body.body)
        position = len(body)
        for index, statement in enumerate(body):
            if isinstance(statement, cst.FunctionDef):
                if statement.name.value == "__init__":
                    position = index + 1
                    break
                if statement.name.value == "call":
                    position = index
                    break
        body.insert(position, plan.new_build)
        if position + 1 < len(body) and isinstance(body[position + 1], cst.FunctionDef):
            following = body[position + 1]
            if not following.leading_lines:
                body[position + 1] = following.with_changes(
                    leading_lines=list(plan.new_build.leading_lines)
                )
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

    def _current_plan(self) -> _ClassPlan | None:
        return self._plans[-1] if self._plans else None

    # Planning -------------------------------------------------------------------

    def _plan(self, classdef: cst.ClassDef, kind: str) -> _ClassPlan | None:
        index = self.context.imports
        methods = {name: method(classdef, name) for name in CREATION_METHODS}
        build = methods["build"]
        plan = _ClassPlan(conversions=[], build=build)
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
            for call in m.findall(function, m.Call()):
                if id(call) in direct or not index.is_api(call.func, "tf.Variable"):
                    continue
                self.report(call, self._why_not_direct(function, call))
            # Count every `self.x = ...` so a variable assigned twice is not moved.
            if self_param:
                for target in m.findall(function, m.AssignTarget()):
                    if m.matches(target.target, m.Attribute(value=m.Name(self_param))):
                        attribute = target.target.attr.value
                        assigned_attributes[attribute] = assigned_attributes.get(attribute, 0) + 1

        class_names = set(assigned_attributes) | _class_level_names(classdef)
        for origin, statement, target, call in candidates:
            if self.is_suppressed(statement):
                continue
            try:
                if assigned_attributes.get(target.attr.value, 0) > 1:
                    raise Refusal(f"`{code_of(target)}` is assigned more than once")
                if origin != "build" and "build" in suppressed_methods:
                    raise Refusal("`build` is marked `# migrate-tf: ignore`, so nothing can move into it")
                conversion = self._conversion(
                    methods, origin, statement, target, call, plan, class_names
                )
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
        self._drop_unused_initializer_locals(methods, plan)
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
                    self._shape_parameter(methods),
                    [c.replacement for c in plan.conversions if c.origin == "__init__"]
                    + [c.replacement for c in plan.conversions if c.origin == "call"],
                    call_super=(kind == "derived"),
                    blank_lines=blank_lines_between_methods(classdef),
                )
        return plan

    def _direct_variable_assignment(self, statement, self_param):
        """(target, call) for a top-level `self.x = tf.Variable(...)` statement."""
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        small = statement.body[0]
        if not isinstance(small, cst.Assign) or len(small.targets) != 1:
            return None
        target = small.targets[0].target
        if not m.matches(target, m.Attribute(value=m.Name(self_param))):
            return None
        if not isinstance(small.value, cst.Call):
            return None
        if not self.context.imports.is_api(small.value.func, "tf.Variable"):
            return None
        return target, small.value

    def _why_not_direct(self, function: cst.FunctionDef, call: cst.Call) -> str:
        prefix = "a tf.Variable created here is not tracked by Keras 3; not converted: "
        name = function.name.value
        if name not in CREATION_METHODS:
            return prefix + (
                f"it is created in `{name}`; create it with `self.add_weight` in `build`"
            )
        for node in m.findall(function, m.If() | m.For() | m.While() | m.Try() | m.With()):
            if m.findall(node, m.Call()) and any(c is call for c in m.findall(node, m.Call())):
                keyword = type(node).__name__.lower()
                return prefix + (
                    f"it is created conditionally (inside `{keyword}`); "
                    "create it once with `self.add_weight` in `build`"
                )
        return prefix + (
            "it is not stored directly as `self.<name> = tf.Variable(...)` "
            "(a local, a list or an expression)"
        )

    def _shape_parameter(self, methods) -> str:
        build = methods["build"]
        if build is not None:
            params = positional_params(build)
            return params[1] if len(params) > 1 else "input_shape"
        return "input_shape"

    def _drop_unused_initializer_locals(self, methods, plan: _ClassPlan) -> None:
        """Remove `w_init = tf.random_normal_initializer()` once nothing uses it."""
        moved = {id(c.statement) for c in plan.conversions if c.origin != "build"}
        for origin in ("__init__", "call"):
            function = methods[origin]
            names = {n for c in plan.conversions if c.origin == origin for n in c.inlined}
            if function is None or not names:
                continue
            assignments = _initializer_locals(function, self.context.imports)
            for name in names:
                statement = assignments[name][0]
                still_used = any(
                    m.findall(other, m.Name(name))
                    for other in function.body.body
                    if other is not statement and id(other) not in moved
                )
                if not still_used:
                    plan.removed.add(id(statement))

    def _conversion(self, methods, origin, statement, target, call, plan, class_names):
        index = self.context.imports
        arguments = bind_arguments(call, VARIABLE_PARAMETERS)
        for name in UNSUPPORTED_ARGUMENTS:
            if name in arguments:
                raise Refusal(f"`tf.Variable(..., {name}=...)` has no `add_weight` equivalent")
        validate = arguments.get("validate_shape")
        if validate is not None and not m.matches(validate, m.Name("True")):
            raise Refusal("`validate_shape` other than True has no `add_weight` equivalent")
        if "initial_value" not in arguments:
            raise Refusal("`tf.Variable` has no initial value")

        function = methods[origin]
        expressions = {
            key: arguments[key]
            for key in ("initial_value", "trainable", "constraint")
            if key in arguments
        }
        self_param = self_name(function)
        build = methods["build"]
        target_self = self_name(build) if build is not None else self_param
        renames = {self_param: target_self} if target_self != self_param else {}

        inlined: list[str] = []
        stores: list[str] = []
        if origin in ("__init__", "call"):
            expressions["initial_value"], inlined = _inline_initializer_local(
                expressions["initial_value"], function, index
            )
        # Decide shape and dtype on the code as the user wrote it, so that a refusal
        # speaks of their names rather than of the names `build` would use.
        weight_from_initial_value(expressions["initial_value"], index, "keras")
        if origin == "__init__":
            stored = self._stored_parameters(function, self_param)
            renames.update({param: f"{target_self}.{attr}" for param, attr in stored.items()})
            # An argument the weight needs but __init__ never stored is stored under
            # its own name, as a person would, when that attribute name is free.
            storable = (
                self._unchanged_parameters(function, self_param)
                - set(stored)
                - (class_names - plan.stored)
            )
            used = {
                name.value
                for value in expressions.values()
                for name in m.findall(value, m.Name())
            }
            order = positional_params(function) + [
                p.name.value for p in function.params.kwonly_params
            ]
            stores = [p for p in order if p in (storable & used) - plan.stored]
            renames.update({param: f"{target_self}.{param}" for param in storable & used})
            forbidden = {
                name: kind
                for name, kind in locals_of(function).items()
                if name != self_param and name not in stored and name not in storable
            }
            self._check_not_read_after(function, statement, target, self_param)
            expressions = {
                key: rename_locals(value, renames, forbidden)
                for key, value in expressions.items()
            }
        elif origin == "call":
            params = positional_params(function)
            if len(params) < 2:
                raise Refusal("`call` has no input")
            if build is not None and len(positional_params(build)) != 2:
                raise Refusal("`build` takes several input shapes")
            tensors = {params[1]: self._shape_parameter(methods)}
            forbidden = {
                name: kind.replace("that is not stored on `self`", "other than the input")
                for name, kind in locals_of(function).items()
                if name != self_param
            }
            lifted = {
                key: lift_input_shapes(value, tensors)
                for key, value in expressions.items()
            }
            expressions = {
                key: rename_locals(value, renames, forbidden)
                for key, value in lifted.items()
            }

        keras = index.keras_module_name() or "keras"
        weight = weight_from_initial_value(expressions["initial_value"], index, keras)
        dtype = weight.dtype
        if "dtype" in arguments:
            dtype = dtype_name(arguments["dtype"], index)
            dtype = None if dtype == "float32" else dtype
        name = self._weight_name(arguments.get("name"), target)

        call_arguments: list[tuple[str | None, str]] = [
            ("name", string_literal(name)),
            ("shape", weight.shape),
            ("initializer", weight.initializer),
        ]
        if dtype is not None:
            call_arguments.append(("dtype", string_literal(dtype)))
        trainable = expressions.get("trainable")
        if trainable is not None and not m.matches(trainable, m.Name("True")):
            call_arguments.append(("trainable", code_of(trainable)))
        constraint = expressions.get("constraint")
        if constraint is not None and not m.matches(constraint, m.Name("None")):
            call_arguments.append(("constraint", code_of(constraint)))
        if index.keras_module_name() is None and _BARE_KERAS.search(weight.initializer):
            keras_reference(self.context)

        plan.stored.update(stores)
        indent = len(self.context.module.default_indent) * (self._depth + 1)
        text = render_call(
            f"{target_self}.{target.attr.value} = ",
            f"{target_self}.add_weight",
            call_arguments,
            indent=indent,
        )
        replacement = parse_statements(text + "\n")[0]
        leading = [line for line in statement.leading_lines if line.comment is not None]
        if origin == "build":
            leading = list(statement.leading_lines)
        replacement = replacement.with_changes(
            leading_lines=leading, trailing_whitespace=statement.trailing_whitespace
        )
        return _Conversion(statement, origin, replacement, stores=stores, inlined=inlined)

    def _weight_name(self, name_node, target: cst.Attribute) -> str:
        if name_node is None or m.matches(name_node, m.Name("None")):
            return target.attr.value
        if isinstance(name_node, cst.SimpleString) and isinstance(name_node.evaluated_value, str):
            name = name_node.evaluated_value
            if "/" in name:
                raise Refusal(f"the name {code_of(name_node)} contains `/`, which Keras 3 rejects")
            return name.split(":")[0] or target.attr.value
        raise Refusal(f"the name `{code_of(name_node)}` is computed")

    @staticmethod
    def _stored_parameters(init: cst.FunctionDef, self_param: str) -> dict[str, str]:
        """Constructor parameters stored unchanged on self: parameter -> attribute."""
        params = set(positional_params(init)) | {
            p.name.value for p in init.params.kwonly_params
        }
        params.discard(self_param)
        stored: dict[str, str] = {}
        reassigned: set[str] = set()
        for statement in init.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if not isinstance(small, cst.Assign):
                    continue
                for assign_target in small.targets:
                    target = assign_target.target
                    if isinstance(target, cst.Name) and target.value in params:
                        reassigned.add(target.value)
                    if (
                        len(small.targets) == 1
                        and m.matches(target, m.Attribute(value=m.Name(self_param)))
                        and isinstance(small.value, cst.Name)
                        and small.value.value in params
                    ):
                        stored.setdefault(small.value.value, target.attr.value)
        return {param: attr for param, attr in stored.items() if param not in reassigned}

    @staticmethod
    def _unchanged_parameters(init: cst.FunctionDef, self_param: str) -> set[str]:
        """Named parameters of ``__init__`` that it never rebinds."""
        params = set(positional_params(init)) | {
            p.name.value for p in init.params.kwonly_params
        }
        params.discard(self_param)
        rebound = {
            name
            for target in m.findall(init.body, m.AssignTarget() | m.AugAssign())
            for name in bound_names(target.target)
        }
        return params - rebound

    @staticmethod
    def _check_not_read_after(init, statement, target, self_param) -> None:
        statements = list(init.body.body)
        position = next(i for i, s in enumerate(statements) if s is statement)
        wanted = m.Attribute(value=m.Name(self_param), attr=m.Name(target.attr.value))
        for later in statements[position + 1 :]:
            if m.findall(later, wanted):
                raise Refusal(
                    f"`__init__` uses `{code_of(target)}` after creating it, "
                    "and weights only exist once `build` has run"
                )


def _class_level_names(classdef: cst.ClassDef) -> set[str]:
    """Names bound in the class body (methods, properties, class attributes)."""
    names: set[str] = set()
    body = classdef.body.body if isinstance(classdef.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for target in m.findall(statement, m.AssignTarget()):
                names.update(n.value for n in m.findall(target, m.Name()))
            for annotated in m.findall(statement, m.AnnAssign()):
                names.update(n.value for n in m.findall(annotated.target, m.Name()))
    return names


def _initializer_locals(function: cst.FunctionDef, index) -> dict[str, tuple]:
    """Top-level `name = <initializer object>` statements of ``function`` whose name is
    bound only there: name -> (statement, value)."""
    counts: dict[str, int] = {}
    for target in m.findall(function.body, m.AssignTarget() | m.AugAssign()):
        for name in bound_names(target.target):
            counts[name] = counts.get(name, 0) + 1
    found = {}
    for statement in function.body.body:
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            continue
        small = statement.body[0]
        if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
            continue
        target = small.targets[0].target
        if not isinstance(target, cst.Name) or counts.get(target.value) != 1:
            continue
        if not isinstance(small.value, cst.Call):
            continue
        try:
            keras_initializer(small.value, index, "keras")
        except Refusal:
            continue
        found[target.value] = (statement, small.value)
    return found


def _inline_initializer_local(value, function, index):
    """`w_init(shape=...)` with `w_init = tf.random_normal_initializer()` earlier in
    the method -> `tf.random_normal_initializer()(shape=...)`, and the names inlined."""
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Name)):
        return value, []
    assignments = _initializer_locals(function, index)
    name = value.func.value
    if name not in assignments:
        return value, []
    return value.with_changes(func=assignments[name][1]), [name]
