"""Moving weight creation into a Keras layer's `build`.

`self.x = tf.Variable(...)` becomes `self.x = self.add_weight(...)` with the same
name, shape, dtype, trainable flag and initial distribution; a weight made in
`__init__` or `call` moves to `build`, where constructor arguments are read from the
attributes that store them and a `call` input's static shape is the shape `build`
receives. Shared by the rules that fix weights Keras 3 does not track: MTF201 (raw
`tf.Variable` attributes), MTF206 (variables created in `call`) and MTF202 (a
`tf.Module` that becomes a layer, whose weights stay in `__init__`).

One :class:`ClassWeights` per layer class: it knows the class's methods and names and
keeps the :class:`ClassPlan` the rule fills in.
"""

from __future__ import annotations

import dataclasses
import re

import libcst as cst

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
from migrate_tf.shared.layers import method, self_name
from migrate_tf.shared.names import is_attribute_of, is_name
from migrate_tf.shared.shapes import (
    bound_names,
    lift_input_shapes,
    locals_of,
    positional_params,
    rename_locals,
)
from migrate_tf.shared.walk import find

CREATION_METHODS = ("__init__", "build", "call")
#: A `keras.` reference that is not part of `tf.keras.`: generated code needs the import.
_BARE_KERAS = re.compile(r"(?<![\w.])keras\.")


@dataclasses.dataclass
class WeightMove:
    statement: cst.SimpleStatementLine  # the original statement that creates the weight
    origin: str  # the method it is in: "__init__", "build" or "call"
    replacement: cst.SimpleStatementLine  # `self.x = self.add_weight(...)`
    #: constructor arguments to store on self where the statement was (`self.n = n`)
    stores: list[str] = dataclasses.field(default_factory=list)
    #: local initializer objects the initial value used (`w_init = ...`)
    inlined: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ClassPlan:
    conversions: list[WeightMove]
    build: cst.FunctionDef | None  # the class's existing build, original node
    new_build: cst.FunctionDef | None = None  # to insert when the class has none
    touched_methods: set = dataclasses.field(default_factory=set)
    #: `w_init = tf.random_normal_initializer()` statements no longer needed
    removed: set = dataclasses.field(default_factory=set)
    #: constructor arguments already stored by an earlier conversion
    stored: set = dataclasses.field(default_factory=set)

    def by_statement(self) -> dict[int, WeightMove]:
        return {id(conversion.statement): conversion for conversion in self.conversions}


class ClassWeights:
    """Weights of one layer class on their way into `build`."""

    def __init__(self, context, classdef: cst.ClassDef, depth: int, class_names: set[str]) -> None:
        self.context = context
        self.classdef = classdef
        #: how deep the class is nested (1 for a module-level class): the indentation
        self.depth = depth
        #: names the class binds (attributes, methods): a stored argument must not clash
        self.class_names = class_names
        self.methods = {name: method(classdef, name) for name in CREATION_METHODS}
        self.plan = ClassPlan(conversions=[], build=self.methods["build"])

    def shape_parameter(self) -> str:
        """The name of `build`'s input shape parameter (existing, or to be created)."""
        build = self.methods["build"]
        if build is not None:
            params = positional_params(build)
            return params[1] if len(params) > 1 else "input_shape"
        return "input_shape"

    def from_call(self, expression: cst.BaseExpression) -> cst.BaseExpression:
        """An expression of `call` as `build` must write it: the input's static shape
        becomes the shape `build` receives, `self` the name `build` gives it; Refusal
        when it needs anything else of `call` (a local, the input's value)."""
        call, build = self.methods["call"], self.methods["build"]
        params = positional_params(call)
        if len(params) < 2:
            raise Refusal("`call` has no input")
        if build is not None and len(positional_params(build)) != 2:
            raise Refusal("`build` takes several input shapes")
        self_param = params[0]
        target_self = self_name(build) if build is not None else self_param
        renames = {self_param: target_self} if target_self != self_param else {}
        forbidden = {
            name: kind.replace("that is not stored on `self`", "other than the input")
            for name, kind in locals_of(call).items()
            if name != self_param
        }
        lifted = lift_input_shapes(expression, {params[1]: self.shape_parameter()})
        return rename_locals(lifted, renames, forbidden)

    def drop_unused_initializer_locals(self) -> None:
        """Remove `w_init = tf.random_normal_initializer()` once nothing uses it."""
        methods, plan = self.methods, self.plan
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
                    any(found.value == name for found in find(other, cst.Name))
                    for other in function.body.body
                    if other is not statement and id(other) not in moved
                )
                if not still_used:
                    plan.removed.add(id(statement))

    def variable_move(
        self, origin: str, statement, target: cst.Attribute, call: cst.Call
    ) -> WeightMove:
        """`self.x = tf.Variable(...)` (``statement``, in the method ``origin``) as
        `self.x = self.add_weight(...)` for `build`; Refusal when it cannot be
        converted with certainty."""
        index = self.context.imports
        methods, plan, class_names = self.methods, self.plan, self.class_names
        arguments, expressions = variable_arguments(call)

        function = methods[origin]
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
                for name in find(value, cst.Name)
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
            expressions = {key: self.from_call(value) for key, value in expressions.items()}

        call_arguments = add_weight_arguments(
            self.context, arguments, expressions, weight_name(arguments.get("name"), target)
        )
        plan.stored.update(stores)
        indent = len(self.context.module.default_indent) * (self.depth + 1)
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
        return WeightMove(statement, origin, replacement, stores=stores, inlined=inlined)

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
                        and is_attribute_of(target, self_param)
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
            for target in find(init.body, cst.AssignTarget, cst.AugAssign)
            for name in bound_names(target.target)
        }
        return params - rebound

    @staticmethod
    def _check_not_read_after(init, statement, target, self_param) -> None:
        statements = list(init.body.body)
        position = next(i for i, s in enumerate(statements) if s is statement)
        attribute = target.attr.value
        for later in statements[position + 1 :]:
            if any(is_attribute_of(node, self_param, attribute) for node in find(later, cst.Attribute)):
                raise Refusal(
                    f"`__init__` uses `{code_of(target)}` after creating it, "
                    "and weights only exist once `build` has run"
                )




def variable_arguments(call: cst.Call) -> tuple[dict, dict]:
    """The arguments of a `tf.Variable(...)` call by parameter, and the expressions a
    weight is made of (`initial_value`, `trainable`, `constraint`); Refusal for what
    `add_weight` cannot express."""
    arguments = bind_arguments(call, TF_VARIABLE_PARAMETERS)
    for name in TF_VARIABLE_UNSUPPORTED:
        if name in arguments:
            raise Refusal(f"`tf.Variable(..., {name}=...)` has no `add_weight` equivalent")
    validate = arguments.get("validate_shape")
    if validate is not None and not is_name(validate, "True"):
        raise Refusal("`validate_shape` other than True has no `add_weight` equivalent")
    if "initial_value" not in arguments:
        raise Refusal("`tf.Variable` has no initial value")
    expressions = {
        key: arguments[key]
        for key in ("initial_value", "trainable", "constraint")
        if key in arguments
    }
    return arguments, expressions


def add_weight_arguments(context, arguments: dict, expressions: dict, name: str) -> list:
    """`add_weight`'s keyword arguments (as source) for a `tf.Variable` whose
    ``arguments`` were bound by :func:`variable_arguments` and whose ``expressions``
    are already written as the weight's method must read them."""
    index = context.imports
    keras = index.keras_module_name() or "keras"
    weight = weight_from_initial_value(expressions["initial_value"], index, keras)
    dtype = weight.dtype
    if "dtype" in arguments:
        dtype = dtype_name(arguments["dtype"], index)
        dtype = None if dtype == "float32" else dtype
    call_arguments: list[tuple[str | None, str]] = [
        ("name", string_literal(name)),
        ("shape", weight.shape),
        ("initializer", weight.initializer),
    ]
    if dtype is not None:
        call_arguments.append(("dtype", string_literal(dtype)))
    trainable = expressions.get("trainable")
    if trainable is not None and not is_name(trainable, "True"):
        call_arguments.append(("trainable", code_of(trainable)))
    constraint = expressions.get("constraint")
    if constraint is not None and not is_name(constraint, "None"):
        call_arguments.append(("constraint", code_of(constraint)))
    if index.keras_module_name() is None and _BARE_KERAS.search(weight.initializer):
        keras_reference(context)
    return call_arguments


def add_method(classdef: cst.ClassDef, function: cst.FunctionDef) -> cst.ClassDef:
    """``classdef`` with a new method (a `build`) where a person puts it: after
    `__init__`, else before `call`, else last."""
    body = list(classdef.body.body)
    position = len(body)
    for index, statement in enumerate(body):
        if isinstance(statement, cst.FunctionDef):
            if statement.name.value == "__init__":
                position = index + 1
                break
            if statement.name.value == "call":
                position = index
                break
    if position == 0 and body:
        # First in the class: no blank line after the `class` line; the method that
        # used to come first gets the blank lines instead.
        first = body[0]
        body[0] = first.with_changes(leading_lines=list(function.leading_lines))
        function = function.with_changes(leading_lines=list(first.leading_lines))
    body.insert(position, function)
    if position + 1 < len(body) and isinstance(body[position + 1], cst.FunctionDef):
        following = body[position + 1]
        if not following.leading_lines:
            body[position + 1] = following.with_changes(
                leading_lines=list(function.leading_lines)
            )
    return classdef.with_changes(body=classdef.body.with_changes(body=body))


def weight_name(name_node, target: cst.Attribute | str) -> str:
    """The `name=` of a `tf.Variable` as a weight name (the attribute's, or the given
    name, when unnamed)."""
    default = target if isinstance(target, str) else target.attr.value
    if name_node is None or is_name(name_node, "None"):
        return default
    if isinstance(name_node, cst.SimpleString) and isinstance(name_node.evaluated_value, str):
        name = name_node.evaluated_value
        if "/" in name:
            raise Refusal(f"the name {code_of(name_node)} contains `/`, which Keras 3 rejects")
        return name.split(":")[0] or default
    raise Refusal(f"the name `{code_of(name_node)}` is computed")



def class_level_names(classdef: cst.ClassDef) -> set[str]:
    """Names bound in the class body (methods, properties, class attributes)."""
    names: set[str] = set()
    body = classdef.body.body if isinstance(classdef.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for target in find(statement, cst.AssignTarget):
                names.update(n.value for n in find(target, cst.Name))
            for annotated in find(statement, cst.AnnAssign):
                names.update(n.value for n in find(annotated.target, cst.Name))
    return names


def _initializer_locals(function: cst.FunctionDef, index) -> dict[str, tuple]:
    """Top-level `name = <initializer object>` statements of ``function`` whose name is
    bound only there: name -> (statement, value)."""
    counts: dict[str, int] = {}
    for target in find(function.body, cst.AssignTarget, cst.AugAssign):
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
