"""MTF204 manual-weight-tracking: hand-fed `self._trainable_weights` lists."""

from __future__ import annotations

import dataclasses

import libcst as cst

from migrate_tf.shared.codegen import code_of
from migrate_tf.shared.initializers import Refusal
from migrate_tf.shared.layer_rules import LayerClassRule
from migrate_tf.shared.layers import method, remove_statements, self_name
from migrate_tf.shared.names import is_attribute_of, is_name
from migrate_tf.shared.shapes import positional_params
from migrate_tf.shared.walk import find

#: The weight lists of a Keras 2 layer, and the sublayer properties that feed each of
#: them with nothing but weights of its own kind.
WEIGHT_LISTS = {
    "_trainable_weights": ("trainable_weights", "trainable_variables"),
    "_non_trainable_weights": ("non_trainable_weights", "non_trainable_variables"),
    "_weights": ("weights", "variables"),
}
#: Built-in Keras layers whose weights are all trainable (unless built with
#: `trainable=False`): their `weights`, and each weight attribute, are trainable.
ALL_TRAINABLE_LAYERS = frozenset(
    f"keras.layers.{name}"
    for name in (
        "Dense", "EinsumDense", "Embedding", "Conv1D", "Conv2D", "Conv3D",
        "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv2D",
        "SeparableConv1D", "SeparableConv2D", "LayerNormalization", "PReLU",
    )
)
#: Sublayer attributes of those layers that are weights.
WEIGHT_ATTRIBUTES = frozenset(
    {"kernel", "bias", "embeddings", "gamma", "beta", "alpha", "depthwise_kernel", "pointwise_kernel"}
)


@dataclasses.dataclass
class _Sublayer:
    """What the class knows of `self.<attribute>`: a Keras layer it constructs."""

    attribute: str
    #: canonical name of a built-in layer class, or the name of a layer class of
    #: this module; None for a list of layers
    cls: str | None
    #: whether the constructor call passes `trainable=`
    sets_trainable: bool = False


@dataclasses.dataclass
class _ClassPlan:
    #: ids of original statements to remove, per method (by id of the FunctionDef)
    removals: dict[int, set[int]] = dataclasses.field(default_factory=dict)
    #: methods left with nothing to do: removed whole
    dropped_methods: set[int] = dataclasses.field(default_factory=set)


class ManualWeightTracking(LayerClassRule):
    """
    ## What it does
    In a Keras layer, removes the statements that hand-feed Keras 2's private weight
    lists with a sublayer's weights (`self._trainable_weights.extend(...)`,
    `.append(...)`, `+=`, and the same on `self._non_trainable_weights` and
    `self._weights`, also inside a `for` loop over a list of sublayers), together with
    the `self.inner.build(input_shape)` call in `build` that only existed to create
    those weights early, when `call` calls the sublayer on its input anyway. A
    `build` left with nothing to do goes too. Keras tracks a sublayer stored on
    `self` by itself, in Keras 2 as in Keras 3.

    ## Why is this bad?
    Keras 3 layers have no `_trainable_weights`, `_non_trainable_weights` or
    `_weights` lists: measured on Keras 3.15, `self._trainable_weights.extend(...)`
    raises `AttributeError: 'Outer' object has no attribute '_trainable_weights'` on
    the first call. Under Keras 2 the lists only duplicated what the sublayer already
    reported (`trainable_weights` removes duplicates), and worse: a sublayer whose
    `build` does not call `super().build()` is built twice, once by the explicit
    `self.inner.build(input_shape)` and again on its first call, so Keras 2 listed a
    second, dead copy of every weight (measured: two trainable weights for one used
    kernel). The migrated layer tracks each weight once.

    ## Example
    ```python
    class Outer(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.inner = Inner(units)

        def build(self, input_shape):
            self.inner.build(input_shape)
            self._trainable_weights.extend(self.inner.trainable_weights)

        def call(self, inputs):
            return self.inner(inputs)
    ```

    ## Use instead
    ```python
    class Outer(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.inner = Inner(units)

        def call(self, inputs):
            return self.inner(inputs)
    ```

    ## Fix safety
    The layer reports the same live weights, each once, with the same trainable
    flags, and computes the same outputs. The sublayer is built on its first call
    with the shape of the input it gets, which is the shape `build` received. Under
    Keras 2 a sublayer built explicitly inside the outer `build` named its weights
    without its own scope (`outer/kernel:0`); built on its call it uses it
    (`outer/inner/kernel:0`, Keras 3 path `outer/inner/kernel`): code that finds
    weights by their Keras 2 names needs the new names.

    ## When it refuses
    The statements stay, with a finding, when the layer fed could change what is
    trainable (a sublayer's `weights` into `_trainable_weights`, unless the sublayer
    is a built-in layer whose weights are all trainable, such as `Dense`; a
    sublayer's `trainable_weights` into `_non_trainable_weights`); when the weights
    come from an object the class does not construct as a Keras layer on `self` (a
    constructor argument, a local variable, a `tf.Module`, which Keras 3 does not
    track); when a single weight is appended whose trainable flag cannot be read from
    the code; or when the private lists are used in any other way (read, reset,
    sliced). The explicit `build` call of a sublayer stays (harmlessly) when `call`
    does not call the sublayer on its own input.

    ## References
    - Keras 3 `Layer`: sublayers assigned to attributes are tracked automatically.
    - This project's `../shared/BRIEF.md`, tracking table (`_trainable_weights.extend`).
    """

    CODE = "MTF204"
    NAME = "manual-weight-tracking"
    SUMMARY = (
        "`self._trainable_weights.extend(...)` raises AttributeError under Keras 3; "
        "sublayers are tracked automatically, so the manual tracking goes."
    )
    TRIGGERS = ("_trainable_weights", "_non_trainable_weights", "_weights")

    # Traversal -------------------------------------------------------------------

    def plan_class(self, classdef: cst.ClassDef, kind: str) -> _ClassPlan | None:
        return self._plan(classdef, kind)

    def leave_FunctionDef(self, original_node, updated_node):
        plan = self.plan
        if plan is None or id(original_node) not in plan.removals:
            return updated_node
        if id(original_node) in plan.dropped_methods:
            return cst.RemovalSentinel.REMOVE
        removed = plan.removals[id(original_node)]
        positions = {
            i for i, statement in enumerate(original_node.body.body) if id(statement) in removed
        }
        return remove_statements(updated_node, positions)

    # Planning -------------------------------------------------------------------

    def _plan(self, classdef: cst.ClassDef, kind: str) -> _ClassPlan | None:
        """What goes, method by method; None (with findings) when anything stays: a
        class whose manual tracking is only partly removed would still fail."""
        # Everything below is about the private weight lists: most layers never use them.
        if not any(node.attr.value in WEIGHT_LISTS for node in find(classdef, cst.Attribute)):
            return None
        sublayers = self._sublayers(classdef)
        call = method(classdef, "call")
        plan = _ClassPlan()
        #: (node, statement, why) of every use of the private lists that must stay
        problems: list[tuple[cst.CSTNode, cst.CSTNode, str]] = []
        body = classdef.body.body if isinstance(classdef.body, cst.IndentedBlock) else ()
        for function in body:
            if not isinstance(function, cst.FunctionDef):
                continue
            self_param = self_name(function)
            if self_param is None or not _private_lists(function, self_param):
                continue
            if self.is_suppressed(function):
                return None
            removed: set[int] = set()
            fed: set[str] = set()
            for statement in function.body.body:
                if not _private_lists(statement, self_param):
                    continue
                if self.is_suppressed(statement):
                    return None
                try:
                    feeds = self._feeding_statement(statement, self_param, sublayers)
                except Refusal as refusal:
                    feeds, reason = None, str(refusal)
                else:
                    reason = (
                        "it is used other than to add a sublayer's weights; Keras tracks "
                        "the weights of sublayers stored on `self` by itself"
                    )
                if feeds is not None:
                    removed.add(id(statement))
                    fed.update(feeds)
                    continue
                nodes = _private_lists(statement, self_param)
                problems.append((nodes[0], statement, reason))
            if removed:
                if function.name.value == "build":
                    removed |= self._early_builds(function, self_param, fed, call)
                plan.removals[id(function)] = removed
                remaining = [s for s in function.body.body if id(s) not in removed]
                if function.name.value == "build" and kind == "plain" and _does_nothing(remaining):
                    plan.dropped_methods.add(id(function))
        for node, statement, reason in problems:
            self.report(
                node,
                f"`{code_of(node)}` does not exist in Keras 3 (AttributeError); the manual "
                f"weight tracking of `{classdef.name.value}` is not converted: {reason}",
                statement=statement,
            )
        if problems or not plan.removals:
            return None
        self.changed = True
        self.record(classdef, "layer-class", classdef.name.value, classdef.name.value)
        return plan

    def _sublayers(self, classdef: cst.ClassDef) -> dict[str, _Sublayer]:
        """`self.x = <Keras layer>(...)` (or a list of them) assigned once in the class."""
        found: dict[str, _Sublayer] = {}
        counts: dict[str, int] = {}
        for function in find(classdef, cst.FunctionDef):
            self_param = self_name(function)
            if self_param is None:
                continue
            for assign in find(function, cst.Assign):
                for target in assign.targets:
                    if not is_attribute_of(target.target, self_param):
                        continue
                    attribute = target.target.attr.value
                    counts[attribute] = counts.get(attribute, 0) + 1
                    sublayer = self._constructed_layer(assign.value, attribute)
                    if sublayer is not None:
                        found[attribute] = sublayer
        return {name: s for name, s in found.items() if counts.get(name) == 1}

    def _constructed_layer(self, value, attribute) -> _Sublayer | None:
        if isinstance(value, (cst.List, cst.Tuple)) and value.elements:
            if all(self._constructed_layer(e.value, attribute) for e in value.elements):
                return _Sublayer(attribute, None)
            return None
        if isinstance(value, cst.ListComp):
            if self._constructed_layer(value.elt, attribute):
                return _Sublayer(attribute, None)
            return None
        if not isinstance(value, cst.Call):
            return None
        sets_trainable = any(a.keyword is not None and a.keyword.value == "trainable" for a in value.args)
        if isinstance(value.func, cst.Name) and value.func.value in self.local_layers:
            return _Sublayer(attribute, value.func.value, sets_trainable)
        canonical = self.context.imports.canonical(value.func) or ""
        canonical = {"keras.Sequential": "keras.models.Sequential"}.get(canonical, canonical)
        if canonical.startswith(("keras.layers.", "keras.models.")) and canonical.rsplit(".", 1)[-1][:1].isupper():
            return _Sublayer(attribute, canonical, sets_trainable)
        return None

    def _feeding_statement(self, statement, self_param, sublayers) -> set[str] | None:
        """The sublayers whose weights a statement adds to a private list, or None when
        it is not such a statement; Refusal when it is one that cannot go."""
        if isinstance(statement, cst.For):
            return self._feeding_loop(statement, self_param, sublayers)
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        small = statement.body[0]
        target = value = None
        operation = None
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            call = small.value
            if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("extend", "append"):
                target, operation = call.func.value, call.func.attr.value
                if len(call.args) != 1 or call.args[0].keyword or call.args[0].star:
                    raise Refusal(f"`{code_of(call)}` is not a plain extend/append")
                value = call.args[0].value
        elif isinstance(small, cst.AugAssign) and isinstance(small.operator, cst.AddAssign):
            target, operation, value = small.target, "extend", small.value
        elif (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.value, cst.BinaryOperation)
            and isinstance(small.value.operator, cst.Add)
            and _is_private_list(small.targets[0].target, self_param)
            and is_attribute_of(small.value.left, self_param, small.targets[0].target.attr.value)
        ):
            # self._trainable_weights = self._trainable_weights + ...
            target, operation, value = small.targets[0].target, "extend", small.value.right
        if target is None or not _is_private_list(target, self_param):
            return None
        weight_list = target.attr.value
        if operation == "append":
            return self._weights_fed(value, weight_list, self_param, sublayers, single=True)
        return self._weights_fed(value, weight_list, self_param, sublayers, single=False)

    def _feeding_loop(self, loop: cst.For, self_param, sublayers) -> set[str] | None:
        """`for layer in self.blocks: self._trainable_weights.extend(layer.trainable_weights)`."""
        body = loop.body.body if isinstance(loop.body, cst.IndentedBlock) else ()
        if not body or not _private_lists(loop, self_param):
            return None
        if loop.orelse is not None or not isinstance(loop.target, cst.Name):
            raise Refusal("the loop does more than add a list of sublayers' weights")
        if not is_attribute_of(loop.iter, self_param):
            raise Refusal(f"`{code_of(loop.iter)}` is not a list of sublayers of this layer")
        attribute = loop.iter.attr.value
        listed = sublayers.get(attribute)
        if listed is None or listed.cls is not None:
            raise Refusal(f"`{code_of(loop.iter)}` is not a list of Keras layers this class creates")
        element = loop.target.value
        for statement in body:
            if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
                raise Refusal("the loop does more than add a list of sublayers' weights")
            small = statement.body[0]
            # self.<private list>.extend(<element>.<property>)
            if not (
                isinstance(small, cst.Expr)
                and isinstance(small.value, cst.Call)
                and isinstance(small.value.func, cst.Attribute)
                and _is_private_list(small.value.func.value, self_param)
                and small.value.func.attr.value == "extend"
                and is_attribute_of(_single_argument(small.value), element)
            ):
                raise Refusal("the loop does more than add a list of sublayers' weights")
            weight_list = small.value.func.value.attr.value
            prop = small.value.args[0].value.attr.value
            if prop not in WEIGHT_LISTS[weight_list]:
                raise Refusal(
                    f"`{code_of(small.value)}` lists the sublayers' `{prop}` as "
                    f"`{weight_list}`, which changes what Keras 2 trained"
                )
        return {attribute}

    def _weights_fed(self, value, weight_list, self_param, sublayers, *, single) -> set[str]:
        """The sublayers whose own weights ``value`` is; Refusal otherwise."""
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add) and not single:
            return self._weights_fed(value.left, weight_list, self_param, sublayers, single=False) | (
                self._weights_fed(value.right, weight_list, self_param, sublayers, single=False)
            )
        if isinstance(value, (cst.List, cst.Tuple)) and not single:
            fed: set[str] = set()
            for element in value.elements:
                if isinstance(element, cst.StarredElement):
                    fed |= self._weights_fed(element.value, weight_list, self_param, sublayers, single=False)
                else:
                    fed |= self._weights_fed(element.value, weight_list, self_param, sublayers, single=True)
            return fed
        if (
            isinstance(value, cst.Call)
            and is_name(value.func, "list")
            and _single_argument(value) is not None
            and not single
        ):
            return self._weights_fed(value.args[0].value, weight_list, self_param, sublayers, single=False)
        # self.<sublayer>.<property or weight attribute>
        if not (isinstance(value, cst.Attribute) and is_attribute_of(value.value, self_param)):
            raise Refusal(
                f"`{code_of(value)}` is not the weights of a sublayer stored on `self`; "
                "a layer Keras should track must be assigned to an attribute"
            )
        attribute, prop = value.value.attr.value, value.attr.value
        sublayer = sublayers.get(attribute)
        if sublayer is None or sublayer.cls is None:
            raise Refusal(
                f"`self.{attribute}` is not a Keras layer this class creates (Keras 3 tracks "
                "layers stored on `self`, not `tf.Module`s or other objects)"
            )
        built_in_trainable = sublayer.cls in ALL_TRAINABLE_LAYERS and not sublayer.sets_trainable
        if single:
            if prop not in WEIGHT_ATTRIBUTES and not self._local_weight(sublayer, prop):
                raise Refusal(f"`{code_of(value)}` is not a weight whose trainable flag is known")
            trainable = built_in_trainable or self._local_weight(sublayer, prop) == "trainable"
            if (weight_list == "_trainable_weights") != trainable and weight_list != "_weights":
                raise Refusal(
                    f"`{code_of(value)}` is listed in `{weight_list}` against its own "
                    "trainable flag, which changes what Keras 2 trained"
                )
            return {attribute}
        if prop in WEIGHT_LISTS[weight_list]:
            return {attribute}
        if weight_list == "_trainable_weights" and prop in ("weights", "variables") and built_in_trainable:
            return {attribute}
        raise Refusal(
            f"`{code_of(value)}` added to `{weight_list}` made Keras 2 treat those weights "
            "differently from the sublayer's own flags; removing it changes what is trained"
        )

    def _local_weight(self, sublayer: _Sublayer, attribute: str) -> str | None:
        """``"trainable"``/``"non-trainable"`` when the sublayer is a class of this
        module that creates `self.<attribute>` with `add_weight`, by its arguments."""
        classdef = next(
            (
                s
                for s in self.context.module.body
                if isinstance(s, cst.ClassDef) and s.name.value == sublayer.cls
            ),
            None,
        )
        if classdef is None:
            return None
        flags = set()
        for assign in find(classdef, cst.Assign):
            for target in assign.targets:
                if not (
                    _is_attribute_named(target.target, attribute)
                    and isinstance(assign.value, cst.Call)
                    and _is_attribute_named(assign.value.func, "add_weight")
                ):
                    continue
                trainable = [a for a in assign.value.args if a.keyword and a.keyword.value == "trainable"]
                if not trainable or is_name(trainable[0].value, "True"):
                    flags.add("trainable")
                elif is_name(trainable[0].value, "False"):
                    flags.add("non-trainable")
                else:
                    return None
        return flags.pop() if len(flags) == 1 else None

    def _early_builds(self, build, self_param, fed: set[str], call) -> set[int]:
        """`self.inner.build(input_shape)` statements of ``build`` that only built a fed
        sublayer early: `call` calls it on its own input, so Keras builds it there with
        the same shape."""
        params = positional_params(build)
        if len(params) != 2 or call is None:
            return set()
        shape = params[1]
        call_params = positional_params(call)
        if len(call_params) < 2:
            return set()
        call_self, call_input = call_params[0], call_params[1]
        found = set()
        for statement in build.body.body:
            if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
                continue
            small = statement.body[0]
            # self.<sublayer>.build(<shape>)
            if not (
                isinstance(small, cst.Expr)
                and isinstance(small.value, cst.Call)
                and _is_attribute_named(small.value.func, "build")
                and is_attribute_of(small.value.func.value, self_param)
                and is_name(_single_argument(small.value), shape)
            ):
                continue
            attribute = small.value.func.value.attr.value
            if attribute not in fed:
                continue
            # self.<sublayer>(<input>, ...) in `call`
            called_on_input = any(
                is_attribute_of(site.func, call_self, attribute)
                and site.args
                and _is_plain_positional(site.args[0])
                and is_name(site.args[0].value, call_input)
                for site in find(call, cst.Call)
            )
            if called_on_input and not _rebinds(call, call_input):
                found.add(id(statement))
        return found


def _is_private_list(node, self_param: str) -> bool:
    """`self._trainable_weights` and the other weight lists Keras 2 kept."""
    return is_attribute_of(node, self_param) and node.attr.value in WEIGHT_LISTS


def _private_lists(node: cst.CSTNode, self_param: str) -> list[cst.Attribute]:
    """The private weight lists ``node`` uses, in source order."""
    return [found for found in find(node, cst.Attribute) if _is_private_list(found, self_param)]


def _rebinds(function: cst.FunctionDef, name: str) -> bool:
    for target in find(function, cst.AssignTarget, cst.AugAssign):
        if any(found.value == name for found in find(target.target, cst.Name)):
            return True
    return False


def _does_nothing(statements) -> bool:
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if isinstance(small, cst.Pass):
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                continue
            if isinstance(small, cst.Expr) and _is_super_build_call(small.value):
                continue
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and _is_attribute_named(small.targets[0].target, "built")
                and is_name(small.value, "True")
            ):
                continue
        return False
    return True


def _is_super_build_call(node) -> bool:
    """`super().build(...)`, `super(Cls, self).build(...)`."""
    return (
        isinstance(node, cst.Call)
        and _is_attribute_named(node.func, "build")
        and isinstance(node.func.value, cst.Call)
        and is_name(node.func.value.func, "super")
    )


def _is_attribute_named(node, attr: str) -> bool:
    """Whether ``node`` is `<anything>.<attr>`."""
    return isinstance(node, cst.Attribute) and node.attr.value == attr


def _is_plain_positional(arg: cst.Arg) -> bool:
    """`f(x)`: not a keyword argument, not `*x` or `**x`."""
    return arg.keyword is None and arg.star == ""


def _single_argument(call: cst.Call) -> cst.BaseExpression | None:
    """The value of the only argument of ``call`` when it is a plain positional one."""
    if len(call.args) == 1 and _is_plain_positional(call.args[0]):
        return call.args[0].value
    return None
