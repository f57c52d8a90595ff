"""MTF202 nested-module: `tf.Module`s held by Keras layers become layers."""

from __future__ import annotations

import dataclasses

import libcst as cst

from migrate_tf.rules.base import Rule
from migrate_tf.shared.codegen import code_of, keras_reference, parse_statements
from migrate_tf.shared.initializers import Refusal
from migrate_tf.shared.layers import (
    LAYER_ATTRIBUTES,
    blank_lines_between_methods,
    layer_base_kind,
    method,
    new_build_method,
    self_name,
)
from migrate_tf.shared.names import is_attribute_of, is_docstring, is_name, single_assignment
from migrate_tf.shared.shapes import locals_of, positional_params, rename_locals
from migrate_tf.shared.walk import contains, find
from migrate_tf.shared.weight_moves import ClassWeights, add_method, class_level_names

#: What `tf.Module` has and a Keras 3 layer has not.
MODULE_ONLY_ATTRIBUTES = frozenset({"name_scope", "submodules", "_flatten", "with_name_scope"})
#: Weight dtypes a layer would not compute in: Keras casts floating inputs to float32.
NON_DEFAULT_FLOATS = ("float16", "bfloat16", "float64")


@dataclasses.dataclass
class _Plan:
    classdef: cst.ClassDef
    base: cst.Arg  # the `tf.Module` base, original node
    #: original statement of `__init__` id -> what stays in its place: `self.n = n`
    #: for an argument `build` needs, or nothing (a weight, an unused initializer local)
    statements: dict[int, list[cst.BaseStatement]]
    needs_super_init: bool
    #: `self.w = self.add_weight(...)` statements of the new `build` (the id of an
    #: `add_weight` statement of `__init__`, moved as the traversal leaves it)
    build_statements: list[cst.BaseStatement | int]
    self_param: str
    #: id of an `add_weight` statement of `__init__` -> its renames for `build`
    add_weights: dict[int, dict[str, str]]
    #: those statements as the traversal left them, renamed
    left: dict[int, cst.BaseStatement] = dataclasses.field(default_factory=dict)


class NestedModule(Rule):
    """
    ## What it does
    Turns a `tf.Module` subclass into a Keras layer when Keras is meant to track it:
    when a Keras layer of the same file stores an instance on `self` (directly, or in
    a list), when another module being converted does, or when the module calls
    `self.add_weight` (which only layers have). The base becomes `keras.layers.Layer`,
    `__call__` becomes `call`, `super().__init__()` is added where `__init__` lacked
    it, and each `self.w = tf.Variable(...)` of `__init__` becomes
    `self.w = self.add_weight(...)` in a new `build(self, input_shape=None)`, with
    the same name, shape, dtype, trainable flag and initial distribution (a module's
    own `self.add_weight(...)` calls move there too). Constructor arguments the
    weights need are stored on `self` (`self.units = units`), and `__init__` ends
    with `self.build()`, so the weights exist from construction on, as the module's
    variables did.

    Why `build` runs from `__init__` and not lazily (measured, Keras 3.15): a
    layer's `build` runs on its first call, and a holder that only reads the module
    (`self.module.w`, the seed pattern) never calls it: `AttributeError: 'MyModule'
    object has no attribute 'w'`. Building it from the holder's `build`
    (`self.module.build()`) works, but the holder's weights are then empty until its
    first call (`layer.trainable_variables` right after construction, which Keras 2
    listed, returns `[]`), and holders in other files would need the same edit.
    Keeping the weights in `__init__` without `build` leaves the layer unbuilt:
    Keras warns on each holder's first call that the layer "has unbuilt state".
    With `self.build()` last in `__init__` the layer is built once (Keras never
    calls `build` again), nothing warns, and `model.save`/`load_model` round-trips
    the weights. It must come last: Keras rejects new state (variables,
    sublayers) once a layer is built.

    ## Why is this bad?
    Keras 3 does not track a `tf.Module` stored on a layer. Measured on Keras 3.15: a
    layer holding a module with a `tf.Variable` reports `trainable_weights == []`, so
    `fit` and every optimizer leave the module's variables at their initial values,
    and they are missing from `.keras` saves. Keras 2 tracked them. A `tf.Module`
    that calls `self.add_weight` never worked: `AttributeError: 'MyModule' object has
    no attribute 'add_weight'` under both.

    ## Example
    ```python
    class MyModule(tf.Module):
        def __init__(self):
            self.w = tf.Variable(tf.random.normal([2, 2]), name="module_weight")

    class MyLayer(tf.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.module = MyModule()

        def call(self, inputs):
            return self.module.w * inputs
    ```

    ## Use instead
    ```python
    class MyModule(tf.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.build()

        def build(self, input_shape=None):
            self.w = self.add_weight(
                name="module_weight",
                shape=[2, 2],
                initializer=keras.initializers.RandomNormal(stddev=1.0),
            )
    ```
    `MyLayer` is unchanged and now reports `module_weight` among its weights (path
    `my_module/module_weight`).

    ## Fix safety
    The module keeps its variables (names, shapes, dtypes, trainable flags, initial
    distributions), creates them when it is constructed, as before, and computes
    the same outputs; the enclosing layer tracks them as Keras 2 did. As a layer,
    the class now casts floating inputs of `call` to float32 (Keras layers do; a
    module did not): a module with float64 or float16 weights is therefore not
    converted. A subclass in another file that creates variables or sublayers
    after `super().__init__()` must create them in `build` too: Keras rejects new
    state once a layer is built.

    ## When it refuses
    The class is left unchanged, with a finding, when it creates variables other
    than by a top-level `self.w = tf.Variable(...)` in `__init__` (in `__call__`, in
    a loop, in a list, conditionally); a variable cannot be mapped to `add_weight`
    (see MTF201); `__init__` reads a weight after creating it, assigns again an
    attribute a weight's shape uses, or returns early (`build` runs at its end);
    a weight needs a local of `__init__` or an argument whose attribute name a Keras
    layer reserves; a class of the file subclasses it; it has a `build` method
    already; its weights are float64, float16 or bfloat16; it uses what only
    `tf.Module` has (`self.name_scope`, `self.submodules`, `with_name_scope`); it
    stores an attribute whose name a Keras layer reserves (`weights`, `trainable`,
    `input`, ...); `__call__` is decorated; it has another base class or is
    decorated; or a module it holds cannot be converted. A `tf.Module` that no layer
    holds and that does not call `add_weight` is left alone (Keras 3 does not need
    it to be a layer), as is code under `# migrate-tf: ignore`.

    ## References
    - TensorFlow guide "Introduction to modules, layers, and models": Keras layers
      are modules with `build` and `call`.
    - Keras 3 `Layer.build`: "all state must be created in `__init__()` or in
      `build()`".
    - This project's `../shared/BRIEF.md`, tracking table (`tf.Module` held by a layer).
    """

    CODE = "MTF202"
    NAME = "nested-module"
    SUMMARY = (
        "A `tf.Module` held by a Keras layer is not tracked by Keras 3; make it a "
        "`keras.layers.Layer` with `add_weight`."
    )
    TRIGGERS = ("Module",)

    def __init__(self, context) -> None:
        super().__init__(context)
        self._plans: dict[int, _Plan] = {}
        self._current: list[_Plan | None] = []
        #: class name -> the name of a class of the file that subclasses it
        self.subclasses: dict[str, str] = {}

    # Traversal -------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        modules, layers = self._classes(node)
        for classdef in find(node, cst.ClassDef):
            for base in classdef.bases:
                if isinstance(base.value, cst.Name) and base.value.value in modules:
                    self.subclasses.setdefault(base.value.value, classdef.name.value)
        wanted = self._wanted(modules, layers)
        results: dict[str, _Plan | Refusal] = {}
        for name in wanted:
            classdef = modules[name]
            if self.is_suppressed(classdef):
                results[name] = Refusal("it is marked `# migrate-tf: ignore`")
                continue
            try:
                results[name] = self._plan(classdef)
            except Refusal as refusal:
                results[name] = refusal.detached()
        # A module defined inside a block or another class is not converted: whoever
        # holds one would still hold an untracked tf.Module.
        elsewhere = self._modules_defined_elsewhere(node, modules)
        for name, result in list(results.items()):
            if isinstance(result, Refusal):
                continue
            held = sorted(self._held_classes(modules[name], elsewhere))
            if held:
                results[name] = Refusal(
                    f"it holds `{held[0]}`, a tf.Module defined inside a block, which is "
                    "not converted"
                )
        # A module holding a module that stays a tf.Module would still be untracked.
        changed = True
        while changed:
            changed = False
            for name, result in list(results.items()):
                if isinstance(result, Refusal):
                    continue
                for held in self._held_classes(modules[name], modules):
                    if isinstance(results.get(held), Refusal):
                        results[name] = Refusal(f"it holds `{held}`, which cannot be converted")
                        changed = True
        for name, result in results.items():
            classdef = modules[name]
            if isinstance(result, Refusal):
                if not self.is_suppressed(classdef):
                    self.report(
                        classdef.name,
                        f"`{name}` is a tf.Module that Keras 3 does not track inside a "
                        f"layer; not converted to a Keras layer: {result}",
                        statement=classdef,
                    )
                continue
            self._plans[id(classdef)] = result
        self._record_conversions(modules, layers, [n for n, r in results.items() if not isinstance(r, Refusal)])
        return True

    def _record_conversions(self, modules, layers, converted: list[str]) -> None:
        """What the equivalence harness runs: each layer that holds a converted module
        (it now tracks the module's weights), and a converted module no class holds
        (one that called `add_weight`)."""
        held_anywhere: set[str] = set()
        for holder in list(layers.values()) + [modules[name] for name in converted]:
            held = self._held_classes(holder, modules) & set(converted)
            held_anywhere |= held
            if held and holder.name.value in layers:
                self.record(holder, "layer-class", holder.name.value, holder.name.value)
        for name in converted:
            if name not in held_anywhere:
                self.record(modules[name], "layer-class", name, name)

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._current.append(self._plans.get(id(node)))
        return True

    def leave_SimpleStatementLine(self, original_node, updated_node):
        plan = self._current[-1] if self._current else None
        if plan is None or id(original_node) not in plan.statements:
            return updated_node
        renames = plan.add_weights.get(id(original_node))
        if renames is not None:
            small = updated_node.body[0]
            value = rename_locals(small.value, renames, {})
            plan.left[id(original_node)] = updated_node.with_changes(
                body=[small.with_changes(value=value)],
                leading_lines=[line for line in original_node.leading_lines if line.comment is not None],
            )
        replacement = plan.statements[id(original_node)]
        if not replacement:
            return cst.RemovalSentinel.REMOVE
        leading = [line for line in original_node.leading_lines]
        replacement = [replacement[0].with_changes(leading_lines=leading), *replacement[1:]]
        return cst.FlattenSentinel(replacement)

    def leave_FunctionDef(self, original_node, updated_node):
        plan = self._current[-1] if self._current else None
        if plan is None or not any(s is original_node for s in plan.classdef.body.body):
            return updated_node
        if original_node.name.value == "__call__":
            updated_node = updated_node.with_changes(name=cst.Name("call"))
        if original_node.name.value == "__init__" and plan.needs_super_init:
            body = list(updated_node.body.body)
            position = 1 if body and is_docstring(body[0]) else 0
            body.insert(position, parse_statements("super().__init__()\n")[0])
            updated_node = updated_node.with_changes(body=updated_node.body.with_changes(body=body))
        if original_node.name.value == "__init__" and plan.build_statements:
            # Last: Keras takes no new state (variables, sublayers) once a layer is built.
            body = list(updated_node.body.body)
            body.append(parse_statements(f"{plan.self_param}.build()\n")[0])
            updated_node = updated_node.with_changes(body=updated_node.body.with_changes(body=body))
        return updated_node

    def leave_ClassDef(self, original_node, updated_node):
        plan = self._current.pop()
        if plan is None:
            return updated_node
        self.changed = True
        if plan.build_statements:
            build = new_build_method(
                plan.self_param,
                "input_shape=None",
                [plan.left[s] if isinstance(s, int) else s for s in plan.build_statements],
                call_super=False,
                blank_lines=blank_lines_between_methods(original_node),
            )
            updated_node = add_method(updated_node, build)
        bases = [
            base.with_changes(value=cst.parse_expression(self._layer_base()))
            if original is plan.base
            else base
            for original, base in zip(original_node.bases, updated_node.bases)
        ]
        return updated_node.with_changes(bases=bases)

    # Planning -------------------------------------------------------------------

    def _classes(self, module: cst.Module):
        """Module-level `tf.Module` subclasses and Keras layer classes, by name."""
        index = self.context.imports
        modules: dict[str, cst.ClassDef] = {}
        layers: dict[str, cst.ClassDef] = {}
        local_layers: dict[str, bool] = {}
        for statement in module.body:
            if not isinstance(statement, cst.ClassDef):
                continue
            if layer_base_kind(statement, index, local_layers) is not None:
                local_layers[statement.name.value] = True
                layers[statement.name.value] = statement
            elif any(
                base.keyword is None and index.is_api(base.value, "tf.Module")
                for base in statement.bases
            ):
                modules[statement.name.value] = statement
        return modules, layers

    def _modules_defined_elsewhere(self, module: cst.Module, top_level) -> dict[str, cst.ClassDef]:
        """`tf.Module` subclasses defined anywhere but at the top of the module."""
        index = self.context.imports
        top = {id(classdef) for classdef in top_level.values()}
        found = {}
        for classdef in find(module, cst.ClassDef):
            if id(classdef) in top or classdef.name.value in top_level:
                continue
            if any(
                base.keyword is None and index.is_api(base.value, "tf.Module")
                for base in classdef.bases
            ):
                found[classdef.name.value] = classdef
        return found

    def _wanted(self, modules, layers) -> list[str]:
        """Module classes a layer (or a wanted module) holds, or that call add_weight."""
        wanted = [
            name
            for name, classdef in modules.items()
            if _calls_method(classdef, "add_weight")
        ]
        holders = list(layers.values()) + [modules[name] for name in wanted]
        while holders:
            holder = holders.pop()
            for held in self._held_classes(holder, modules):
                if held not in wanted:
                    wanted.append(held)
                    holders.append(modules[held])
        return [name for name in modules if name in wanted]

    @staticmethod
    def _held_classes(classdef: cst.ClassDef, modules) -> set[str]:
        """Names of module classes ``classdef`` stores on `self` (or in lists there)."""
        held = set()
        for function in find(classdef, cst.FunctionDef):
            self_param = self_name(function)
            if self_param is None:
                continue
            for assign in find(function, cst.Assign):
                if not any(is_attribute_of(t.target, self_param) for t in assign.targets):
                    continue
                for call in find(assign.value, cst.Call):
                    if isinstance(call.func, cst.Name) and call.func.value in modules:
                        held.add(call.func.value)
        return held

    def _plan(self, classdef: cst.ClassDef) -> _Plan:
        if classdef.decorators:
            raise Refusal("the class is decorated")
        bases = list(classdef.bases)
        if len(bases) != 1 or bases[0].keyword is not None or classdef.keywords:
            raise Refusal("it has more than one base class or class keywords")
        body = classdef.body.body if isinstance(classdef.body, cst.IndentedBlock) else ()
        module_only = [
            node
            for node in find(classdef, cst.Attribute)
            if node.attr.value in MODULE_ONLY_ATTRIBUTES
        ]
        for node in module_only:
            raise Refusal(f"it uses `{code_of(node)}`, which only tf.Module has")
        call = method(classdef, "__call__")
        if call is not None and call.decorators:
            raise Refusal("its `__call__` is decorated")
        if call is not None and method(classdef, "call") is not None:
            raise Refusal("it has both `__call__` and `call`")
        if method(classdef, "build") is not None:
            raise Refusal("it has a `build` method, which Keras calls with the input shape")
        weights = ClassWeights(self.context, classdef, 1, class_level_names(classdef))
        init = weights.methods["__init__"]
        self_param = self_name(init) if init is not None else None
        direct: dict[int, tuple] = {}
        added: list[tuple] = []  # `self.x = self.add_weight(...)` of `__init__`
        if init is not None and self_param:
            for statement in init.body.body:
                found = _variable_assignment(statement, self_param, self.context.imports)
                if found is not None:
                    direct[id(found[1])] = (statement, *found)
                    continue
                found = _add_weight_assignment(statement, self_param)
                if found is not None:
                    added.append((statement, *found))
        elsewhere = [
            variable
            for variable in find(classdef, cst.Call)
            if self.context.imports.is_api(variable.func, "tf.Variable", "tf.get_variable")
            and id(variable) not in direct
        ]
        for variable in elsewhere:
            raise Refusal(
                f"`{code_of(variable.func)}(...)` is not a top-level "
                "`self.<name> = tf.Variable(...)` of `__init__`"
            )
        for function in body:
            if not isinstance(function, cst.FunctionDef) or self_name(function) is None:
                continue
            for target in find(function, cst.AssignTarget):
                if is_attribute_of(target.target, self_name(function)):
                    if target.target.attr.value in LAYER_ATTRIBUTES:
                        raise Refusal(
                            f"it stores `self.{target.target.attr.value}`, which a Keras layer reserves"
                        )
        statements: dict[int, list[cst.BaseStatement]] = {}
        build_statements: list[cst.BaseStatement | int] = []
        add_weights: dict[int, dict[str, str]] = {}
        moved = sorted(
            [(s, t, c, "variable") for s, t, c in direct.values()] + [(s, t, c, "add_weight") for s, t, c in added],
            key=lambda item: next(i for i, s in enumerate(init.body.body) if s is item[0]),
        )
        if moved:
            if contains(init.body, cst.Return):
                raise Refusal("its `__init__` returns early, before `build` would run at its end")
            subclass = self.subclasses.get(classdef.name.value)
            if subclass:
                raise Refusal(
                    f"`{subclass}` subclasses it, and a built layer takes no new state in a "
                    "subclass's `__init__`"
                )
        for statement, target, variable, kind in moved:
            if kind == "variable":
                move = weights.variable_move("__init__", statement, target, variable)
                dtype = _dtype_of(move.replacement)
                if dtype in NON_DEFAULT_FLOATS:
                    raise Refusal(
                        f"`{code_of(target)}` is {dtype}, and a Keras layer casts floating "
                        "inputs to float32"
                    )
                weights.plan.conversions.append(move)
                replacement, stores = move.replacement, move.stores
            else:
                replacement, stores, renames = _move_add_weight(weights, init, self_param, statement, target)
                # Moved as it leaves the traversal: MTF207 may name its arguments first.
                add_weights[id(statement)] = renames
            _check_attributes_kept(init, statement, replacement, self_param)
            for store in stores:
                if store in LAYER_ATTRIBUTES:
                    raise Refusal(
                        f"`build` needs the argument `{store}`, and `self.{store}` is reserved "
                        "by a Keras layer"
                    )
            build_statements.append(id(statement) if kind == "add_weight" else replacement)
            statements[id(statement)] = [
                parse_statements(f"{self_param}.{store} = {store}\n")[0] for store in stores
            ]
        weights.drop_unused_initializer_locals()
        statements.update({key: [] for key in weights.plan.removed})
        return _Plan(
            classdef=classdef,
            base=bases[0],
            statements=statements,
            needs_super_init=init is not None and not _calls_super_init(init),
            build_statements=build_statements,
            self_param=self_param or "self",
            add_weights=add_weights,
        )

    def _layer_base(self) -> str:
        """`keras.layers.Layer` as this file names Keras (`tf.keras` when it only uses
        that spelling)."""
        index = self.context.imports
        name = index.keras_module_name()
        if name is not None:
            return f"{name}.layers.Layer"
        tf = index.tensorflow_module_name()
        if tf is not None and f"{tf}.keras." in self.context.source and not index.tf1:
            return f"{tf}.keras.layers.Layer"
        return f"{keras_reference(self.context)}.layers.Layer"


def _variable_assignment(statement, self_param, index):
    """(target, call) for a top-level `self.x = tf.Variable(...)` statement."""
    found = single_assignment(statement)
    if found is None or not is_attribute_of(found[0], self_param):
        return None
    if not (isinstance(found[1], cst.Call) and index.is_api(found[1].func, "tf.Variable")):
        return None
    return found


def _add_weight_assignment(statement, self_param):
    """(target, call) for a top-level `self.x = self.add_weight(...)` statement."""
    found = single_assignment(statement)
    if found is None or not is_attribute_of(found[0], self_param):
        return None
    call = found[1]
    if not (isinstance(call, cst.Call) and is_attribute_of(call.func, self_param, "add_weight")):
        return None
    return found


def _move_add_weight(weights: ClassWeights, init, self_param, statement, target):
    """`self.x = self.add_weight(...)` of `__init__` as `build` writes it (constructor
    arguments read from the attributes that store them), the arguments to store on
    `self` where it was, and the renames that make it."""
    stored = ClassWeights._stored_parameters(init, self_param)
    storable = (
        ClassWeights._unchanged_parameters(init, self_param)
        - set(stored)
        - (weights.class_names - weights.plan.stored)
    )
    used = {name.value for name in find(statement, cst.Name)}
    order = positional_params(init) + [p.name.value for p in init.params.kwonly_params]
    stores = [p for p in order if p in (storable & used) - weights.plan.stored]
    renames = {param: f"{self_param}.{attr}" for param, attr in stored.items()}
    renames.update({param: f"{self_param}.{param}" for param in storable & used})
    forbidden = {
        name: kind
        for name, kind in locals_of(init).items()
        if name != self_param and name not in stored and name not in storable
    }
    ClassWeights._check_not_read_after(init, statement, target, self_param)
    small = statement.body[0]
    value = rename_locals(small.value, renames, forbidden)
    weights.plan.stored.update(stores)
    replacement = statement.with_changes(body=[small.with_changes(value=value)])
    return replacement, stores, renames


def _check_attributes_kept(init, statement, replacement, self_param) -> None:
    """Refusal when the weight reads an attribute that `__init__` assigns again after
    the weight's statement: `build`, which runs at the end of `__init__`, would see
    the later value."""
    read = {
        node.attr.value
        for node in find(replacement, cst.Attribute)
        if is_attribute_of(node, self_param)
    }
    statements = list(init.body.body)
    position = next(i for i, s in enumerate(statements) if s is statement)
    for later in statements[position + 1 :]:
        for assigned in find(later, cst.AssignTarget, cst.AugAssign):
            target = assigned.target
            if is_attribute_of(target, self_param) and target.attr.value in read:
                raise Refusal(
                    f"`__init__` assigns `{self_param}.{target.attr.value}` after a weight "
                    "uses it, and `build` runs at the end of `__init__`"
                )


def _dtype_of(statement: cst.SimpleStatementLine) -> str | None:
    strings = [
        arg
        for arg in find(statement, cst.Arg)
        if is_name(arg.keyword, "dtype") and isinstance(arg.value, cst.SimpleString)
    ]
    for arg in strings:
        return arg.value.evaluated_value
    return None


def _calls_super_init(init: cst.FunctionDef) -> bool:
    # Any `<x>.__init__(...)`: `super().__init__()`, `super(C, self).__init__()`,
    # `tf.Module.__init__(self)`.
    return _calls_method(init, "__init__")


def _calls_method(node: cst.CSTNode, name: str) -> bool:
    """Whether ``node`` has a call `<anything>.<name>(...)`."""
    return any(
        isinstance(call.func, cst.Attribute) and call.func.attr.value == name
        for call in find(node, cst.Call)
    )
