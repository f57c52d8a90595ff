"""MTF206 variables-in-call: weights created in a layer's `call` move to `build`."""

from __future__ import annotations

import dataclasses

import libcst as cst

from migrate_tf.shared.codegen import code_of
from migrate_tf.shared.initializers import Refusal
from migrate_tf.shared.names import is_attribute_of, is_name, single_assignment
from migrate_tf.shared.walk import encloses, find, pruned
from migrate_tf.shared.layer_rules import LayerClassRule
from migrate_tf.shared.layers import (
    blank_lines_between_methods,
    insert_into_build,
    new_build_method,
    self_name,
)
from migrate_tf.shared.weight_moves import ClassWeights, add_method, class_level_names

#: Calls that create a variable.
VARIABLE_FACTORIES = ("tf.Variable", "tf.get_variable", "keras.Variable")


@dataclasses.dataclass
class _Plan:
    weights: ClassWeights
    kind: str
    #: original statements to remove: the guarded `if` blocks, the unguarded
    #: `self.x = self.add_weight(...)` of `call`, `self.x = None` of `__init__`
    removed: set[int] = dataclasses.field(default_factory=set)
    #: the original statements whose weights go to the end of `build`, in the order
    #: `call` made them
    order: list[int] = dataclasses.field(default_factory=list)
    #: id of an original statement -> its statement for `build`; `add_weight` calls
    #: are filled in when the traversal leaves them (other rules may have rewritten
    #: their arguments), a `tf.Variable` becomes its `add_weight` beforehand
    replacements: dict[int, cst.SimpleStatementLine | None] = dataclasses.field(default_factory=dict)
    #: comments above a removed guard, for the first statement it moved
    comments: dict[int, list] = dataclasses.field(default_factory=dict)

    def moved(self) -> list[cst.SimpleStatementLine]:
        statements = []
        for key in self.order:
            statement = self.replacements[key]
            if key in self.comments:
                statement = statement.with_changes(
                    leading_lines=self.comments[key] + list(statement.leading_lines)
                )
            statements.append(statement)
        return statements


class VariablesInCall(LayerClassRule):
    """
    ## What it does
    In a Keras layer, moves the weights that `call` creates into `build`, where they
    are created once: a weight made under a first-call guard (`if not hasattr(self,
    "w"):`, `if self.w is None:` with `self.w = None` in `__init__`, or
    `if not self.built:`) and `self.w = self.add_weight(...)` written directly in
    `call`. The guard goes; a `tf.Variable` becomes `self.add_weight(...)` with the
    same name, shape, dtype, trainable flag and initial distribution; shapes read
    from the input (`x.shape[-1]`) become the shape `build` receives. A `build` is
    created when the layer has none. (An unguarded `self.w = tf.Variable(...)` in
    `call` is MTF201's; variables made inside a `Lambda`'s function are MTF203's.)

    ## Why is this bad?
    Keras 3 refuses to create a weight in `call`: measured on Keras 3.15,
    `self.add_weight` there raises `ValueError` on the first call, guarded or not,
    and a guarded `tf.Variable` is created but never tracked (`trainable_weights ==
    []`, so `fit` never trains it). Keras 2 accepted both. The `if not self.built:`
    guard never ran under either Keras (the layer is marked built before `call`):
    the layer failed with `AttributeError` on its first call.

    ## Example
    ```python
    class Gate(keras.layers.Layer):
        def call(self, inputs):
            if not hasattr(self, "gate"):
                self.gate = self.add_weight(
                    name="gate", shape=(inputs.shape[-1],), initializer="ones"
                )
            return inputs * tf.sigmoid(self.gate)
    ```

    ## Use instead
    ```python
    class Gate(keras.layers.Layer):
        def build(self, input_shape):
            self.gate = self.add_weight(
                name="gate", shape=(input_shape[-1],), initializer="ones"
            )

        def call(self, inputs):
            return inputs * tf.sigmoid(self.gate)
    ```

    ## Fix safety
    The layer creates the same weights, once, before its first call runs (Keras
    calls `build` with the input's shape), and computes the same outputs. Under
    Keras 2 a weight made directly in `call` was made again on every call; now it
    is made once, which is what training needs.

    ## When it refuses
    The layer is left unchanged, with a finding, when the guarded block does
    anything besides creating weights on `self`; the guard has an `else`, tests
    another attribute, or sits inside other control flow; the weight's value or
    shape needs more of `call` than the input's static shape (a local variable,
    `tf.shape(x)`, the input's values); the weight is assigned elsewhere too; a
    `tf.Variable` cannot be mapped to `add_weight` (see MTF201); a variable is made
    in `call` in any other way (a local `tf.Variable`, `tf.compat.v1.get_variable`,
    a list). Code under `# migrate-tf: ignore` is left alone.

    ## References
    - Keras 3 `Layer`: "You cannot add new elements of state (variables) to this
      layer after it is built"; `build(input_shape)` is the place for weights.
    - This project's `../shared/BRIEF.md`, tracking table.
    """

    CODE = "MTF206"
    NAME = "variables-in-call"
    SUMMARY = (
        "Weights created in a layer's `call` (guarded or with `add_weight`) fail or go "
        "untracked under Keras 3; create them once in `build`."
    )
    TRIGGERS = ("def call",)

    # Traversal -------------------------------------------------------------------

    def plan_class(self, classdef: cst.ClassDef, kind: str) -> _Plan | None:
        return self._plan(classdef, kind)

    def leave_SimpleStatementLine(self, original_node, updated_node):
        plan = self.plan
        if plan is None:
            return updated_node
        key = id(original_node)
        if key in plan.replacements and plan.replacements[key] is None:
            plan.replacements[key] = self._move(plan.weights, updated_node)
        return self.planned_removal(original_node, updated_node)

    def leave_If(self, original_node, updated_node):
        return self.planned_removal(original_node, updated_node)

    def finish_class(self, original_node, updated_node, plan):
        body = list(updated_node.body.body)
        for index, statement in enumerate(body):
            if isinstance(statement, cst.FunctionDef) and statement.name.value == "build":
                body[index] = insert_into_build(statement, [], plan.moved())
                return updated_node.with_changes(body=updated_node.body.with_changes(body=body))
        call = plan.weights.methods["call"]
        build = new_build_method(
            self_name(call) or "self",
            plan.weights.shape_parameter(),
            plan.moved(),
            call_super=(plan.kind == "derived"),
            blank_lines=blank_lines_between_methods(original_node),
        )
        return add_method(updated_node, build)

    # Planning -------------------------------------------------------------------

    def _plan(self, classdef: cst.ClassDef, kind: str) -> _Plan | None:
        call = ClassWeights(self.context, classdef, self.depth, set()).methods["call"]
        if call is None or self_name(call) is None or self.is_suppressed(call):
            return None
        self_param = self_name(call)
        creations = self._creations(call, self_param)
        if not creations:
            return None
        weights = ClassWeights(
            self.context, classdef, self.depth, class_level_names(classdef)
        )
        plan = _Plan(weights=weights, kind=kind)
        handled: set[int] = set()
        problems: list[tuple[cst.CSTNode, cst.CSTNode, str]] = []
        for statement in call.body.body:
            found = [c for c in creations if encloses(statement, c)]
            if not found:
                continue
            if self.is_suppressed(statement):
                return None
            try:
                moved, removed = self._statement(classdef, weights, statement, self_param)
            except Refusal as refusal:
                problems.append((found[0], statement, str(refusal)))
                handled.update(id(c) for c in found)
                continue
            if moved is None:
                continue  # MTF201's: an unguarded `self.x = tf.Variable(...)`
            for inner, replacement in moved:
                plan.order.append(id(inner))
                plan.replacements[id(inner)] = replacement
            comments = [line for line in statement.leading_lines if line.comment is not None]
            if isinstance(statement, cst.If) and comments:
                plan.comments[id(moved[0][0])] = comments
            plan.removed |= removed
            handled.update(id(c) for c in found)
        for creation in creations:
            if id(creation) not in handled and not self._is_mtf201s(call, creation, self_param):
                statement = next(s for s in call.body.body if encloses(s, creation))
                problems.append(
                    (creation, statement, "it is not created by a first-call guard or a "
                     "direct `self.<name> = self.add_weight(...)`")
                )
        for node, statement, reason in problems:
            self.report(
                node,
                f"`{code_of(node.func)}(...)` in `call` makes a weight that Keras 3 does not "
                f"create or track there; `{classdef.name.value}` is not converted: {reason}",
                statement=statement,
            )
        if problems or not plan.order:
            return None
        if "build" in self._suppressed_methods(classdef):
            return None
        self.changed = True
        self.record(classdef, "layer-class", classdef.name.value, classdef.name.value)
        return plan

    def _suppressed_methods(self, classdef) -> set[str]:
        body = classdef.body.body if isinstance(classdef.body, cst.IndentedBlock) else ()
        return {
            f.name.value for f in body if isinstance(f, cst.FunctionDef) and self.is_suppressed(f)
        }

    def _creations(self, call: cst.FunctionDef, self_param: str) -> list[cst.Call]:
        """Calls in `call` (not in nested functions) that create a variable."""
        index = self.context.imports
        return [
            node
            for node in pruned(call, lambda node: isinstance(node, (cst.FunctionDef, cst.Lambda)))
            if isinstance(node, cst.Call)
            and (index.is_api(node.func, *VARIABLE_FACTORIES) or _is_add_weight(node, self_param))
        ]

    def _is_mtf201s(self, call, creation, self_param) -> bool:
        """A top-level `self.x = tf.Variable(...)` of `call`: MTF201 moves it."""
        for statement in call.body.body:
            direct = _direct_assignment(statement, self_param)
            if direct is not None and direct[1] is creation:
                return self.context.imports.is_api(creation.func, "tf.Variable")
        return False

    def _statement(self, classdef, weights: ClassWeights, statement, self_param):
        """(statements for `build`, original statements to remove) for a statement of
        `call` that creates weights; (None, None) when it is MTF201's."""
        direct = _direct_assignment(statement, self_param)
        if direct is not None:
            target, value = direct
            if self.context.imports.is_api(value.func, "tf.Variable"):
                return None, None
            if not _is_add_weight(value, self_param):
                raise Refusal("the variable is not stored as a weight of the layer")
            self._check_single_assignment(classdef, target.attr.value, {id(statement)})
            weights.from_call(value)  # refuses here what `build` could not write
            return [(statement, None)], {id(statement)}
        if isinstance(statement, cst.SimpleStatementLine):
            raise Refusal(
                "it is not stored on `self` as `self.<name> = ...` (a local or an "
                "expression makes a new variable on every call)"
            )
        if not isinstance(statement, cst.If):
            keyword = type(statement).__name__.lower()
            raise Refusal(f"it is created inside `{keyword}`, not under a first-call guard")
        guard = self._guard(classdef, statement, self_param)
        if statement.orelse is not None:
            raise Refusal("the first-call guard has an `else`")
        body = statement.body.body if isinstance(statement.body, cst.IndentedBlock) else ()
        moved, created, removed = [], set(), {id(statement)}
        for inner in body:
            if guard.kind == "built" and _sets_built(inner, self_param):
                continue
            direct = _direct_assignment(inner, self_param)
            if direct is None:
                raise Refusal(
                    f"the guarded block does more than create weights (`{_first_line(inner)}`)"
                )
            target, value = direct
            if self.context.imports.is_api(value.func, "tf.Variable"):
                move = weights.variable_move("call", inner, target, value)
                moved.append((inner, move.replacement))
            elif _is_add_weight(value, self_param):
                weights.from_call(value)  # refuses here what `build` could not write
                moved.append((inner, None))
            else:
                raise Refusal(f"`{code_of(value.func)}(...)` is not a weight of the layer")
            created.add(target.attr.value)
        if not moved:
            raise Refusal("the guarded block creates no weight on `self`")
        if guard.attribute is not None and guard.attribute not in created:
            raise Refusal(
                f"the guard tests `{guard.attribute}`, which the block does not create"
            )
        if guard.init_statement is not None:
            removed.add(id(guard.init_statement))
        for attribute in created:
            allowed = {id(inner) for inner in body}
            if guard.init_statement is not None and attribute == guard.attribute:
                allowed.add(id(guard.init_statement))
            self._check_single_assignment(classdef, attribute, allowed)
        return moved, removed

    def _move(self, weights: ClassWeights, statement) -> cst.SimpleStatementLine:
        """`self.x = self.add_weight(...)` of `call` as `build` must write it."""
        small = statement.body[0]
        target = small.targets[0].target
        small = small.with_changes(value=weights.from_call(small.value))
        build = weights.methods["build"]
        if build is not None and self_name(build) != target.value.value:
            small = small.with_changes(
                targets=[small.targets[0].with_changes(target=target.with_changes(value=cst.Name(self_name(build))))]
            )
        leading = [line for line in statement.leading_lines if line.comment is not None]
        return statement.with_changes(body=[small], leading_lines=leading)

    def _guard(self, classdef, statement: cst.If, self_param: str) -> "_Guard":
        test = statement.test
        negated = test.expression if _is_not(test) else None
        # not hasattr(self, "w")
        if (
            isinstance(negated, cst.Call)
            and is_name(negated.func, "hasattr")
            and len(negated.args) == 2
            and is_name(negated.args[0].value, self_param)
            and isinstance(negated.args[1].value, cst.SimpleString)
        ):
            attribute = negated.args[1].value.evaluated_value
            return _Guard("hasattr", attribute, None)
        # self.w is None
        if (
            isinstance(test, cst.Comparison)
            and is_attribute_of(test.left, self_param)
            and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Is)
            and is_name(test.comparisons[0].comparator, "None")
        ):
            attribute = test.left.attr.value
            init = ClassWeights(self.context, classdef, self.depth, set()).methods["__init__"]
            statement_in_init = None
            if init is not None and self_name(init):
                for candidate in init.body.body:
                    # self.w = None (the last one)
                    if _assigns(candidate, self_name(init), attribute, "None"):
                        statement_in_init = candidate
            if statement_in_init is None:
                raise Refusal(f"`self.{attribute}` is not set to None in `__init__`")
            return _Guard("none", attribute, statement_in_init)
        # not self.built
        if is_attribute_of(negated, self_param, "built"):
            return _Guard("built", None, None)
        raise Refusal(f"`if {code_of(test)}:` is not a first-call guard")

    def _check_single_assignment(self, classdef, attribute: str, allowed: set[int]) -> None:
        """Refusal when `self.<attribute>` is assigned anywhere but ``allowed`` statements."""
        for function in find(classdef, cst.FunctionDef):
            self_param = self_name(function)
            if self_param is None:
                continue
            for statement in find(function, cst.SimpleStatementLine):
                if id(statement) in allowed:
                    continue
                for target in find(statement, cst.AssignTarget, cst.AugAssign):
                    if is_attribute_of(target.target, self_param, attribute):
                        raise Refusal(f"`self.{attribute}` is assigned elsewhere too")


@dataclasses.dataclass
class _Guard:
    kind: str  # "hasattr", "none" or "built"
    attribute: str | None
    init_statement: cst.SimpleStatementLine | None  # `self.x = None` in `__init__`


def _direct_assignment(statement, self_param):
    """(target, call) for `self.x = <call>(...)` as a whole statement."""
    found = single_assignment(statement)
    if found is None or not is_attribute_of(found[0], self_param):
        return None
    if not isinstance(found[1], cst.Call):
        return None
    return found


def _is_add_weight(call: cst.Call, self_param: str) -> bool:
    return is_attribute_of(call.func, self_param, "add_weight") or is_attribute_of(
        call.func, self_param, "add_variable"
    )


def _sets_built(statement, self_param) -> bool:
    return _assigns(statement, self_param, "built", "True")


def _assigns(statement, self_param: str, attribute: str, constant: str) -> bool:
    """Whether ``statement`` is exactly `self.<attribute> = <constant>` (`None`, `True`)."""
    found = single_assignment(statement)
    return (
        found is not None
        and is_attribute_of(found[0], self_param, attribute)
        and is_name(found[1], constant)
    )


def _is_not(node) -> bool:
    """`not <expression>`."""
    return isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not)


def _first_line(statement) -> str:
    return code_of(statement).strip().splitlines()[0] if code_of(statement).strip() else ""
