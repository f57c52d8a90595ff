"""MTF203 lambda-variables: `keras.layers.Lambda` functions that create variables."""

from __future__ import annotations

import dataclasses

import libcst as cst

from migrate_tf.shared.codegen import code_of, keras_reference, parse_statements, render_call
from migrate_tf.shared.initializers import Refusal, bind_arguments
from migrate_tf.shared.layer_rules import LayerClassRule
from migrate_tf.shared.lambdas import (
    get_variable_weight,
    is_lambda_layer,
    lambda_wrapped_functions,
    wrapped_function,
)
from migrate_tf.shared.layers import (
    LAYER_ATTRIBUTES,
    blank_lines_between_methods,
    insert_into_build,
    layer_base_kind,
    method,
    new_build_method,
    self_name,
)
from migrate_tf.shared.names import (
    free_names,
    is_attribute_of,
    is_docstring,
    is_name,
    single_assignment,
)
from migrate_tf.shared.scoped_functions import Planner
from migrate_tf.shared.scoped_functions.model import (
    GET_VARIABLE_PARAMETERS,
    capwords,
    module_level_names,
)
from migrate_tf.shared.shapes import assigned_names, lift_input_shapes, positional_params, rename_locals
from migrate_tf.shared.transformer import Transformer
from migrate_tf.shared.walk import find
from migrate_tf.shared.weight_moves import (
    add_method,
    add_weight_arguments,
    variable_arguments,
    weight_name,
)

#: Calls that create a variable.
VARIABLE_FACTORIES = ("tf.Variable", "tf.get_variable", "tf.variable_scope", "keras.Variable")
#: `Lambda(...)` arguments a layer class does without: it knows its output.
DROPPED_LAMBDA_ARGUMENTS = ("output_shape", "mask")


@dataclasses.dataclass
class _Weight:
    local: str  # the local variable the function kept it in
    attribute: str  # `self.<attribute>` of the layer
    arguments: list  # add_weight's keyword arguments, as source


@dataclasses.dataclass
class _LocalPlan:
    """A `Lambda(f)(x)` in a layer's `call`, `f` a local function or a lambda."""

    site: cst.Call  # the `Lambda(f)(x)` call
    replacement: cst.BaseExpression  # what the call becomes
    weights: list[_Weight]
    function: cst.FunctionDef | None  # the local `def`, rewritten in place
    new_function: cst.FunctionDef | None


@dataclasses.dataclass
class _ModuleSites:
    """What a layer class gets for the module-level functions its `call` wraps in
    `Lambda`: the calls that replace the Lambda sites, the `self.f = Lambda(f)`
    statements of `__init__` to remove, and the statements of `build`."""

    replacements: dict[int, _LocalPlan] = dataclasses.field(default_factory=dict)
    removed: set[int] = dataclasses.field(default_factory=set)
    build_statements: list = dataclasses.field(default_factory=list)
    taken: set = dataclasses.field(default_factory=set)


@dataclasses.dataclass
class _ClassPlan:
    kind: str
    classdef: cst.ClassDef
    sites: dict[int, _LocalPlan]
    functions: dict[int, cst.FunctionDef]  # original local def -> rewritten
    removed: set[int]  # variable statements of local functions (ids)
    build_statements: list[cst.SimpleStatementLine]


class LambdaVariables(LayerClassRule):
    """
    ## What it does
    Rewrites `keras.layers.Lambda` layers whose function creates variables:

    - inside a layer's `call` (`keras.layers.Lambda(f)(inputs)`, `f` a function
      defined in `call`, an inline `lambda`, or a function defined at module level;
      or `self.f = keras.layers.Lambda(f)` in `__init__` applied once in `call`):
      each `tf.Variable` / `tf.get_variable` the function made becomes
      `self.add_weight(...)` in the layer's `build` (created once, with the same
      name, shape, dtype, trainable flag and initial distribution; shapes read from
      the function's input become the shape `build` receives), and `call` calls the
      function directly with the weights (`f(inputs, weight=self.weight)`; an
      inline `lambda` becomes its expression). No `Lambda` is built per call. A
      module-level function loses its variable statements and takes the weights as
      parameters; every layer that wraps it gets its own weights.
    - at model level (`keras.layers.Lambda(instance_norm)` in a `Sequential` list or
      a functional model, the function defined at module level and used nowhere
      else): the function becomes a layer class (`InstanceNorm`, weights in `build`,
      the rest of the body in `call`) and each `Lambda(...)` an instance of it. A
      TF1 function with `tf.variable_scope`/`tf.get_variable` is converted by the same
      machinery as MTF101, keeping the TF1 variable names; a function creating
      `tf.Variable`s or scope-less `tf.get_variable`s directly gets them as
      `add_weight` in `build`.

    Names: a `tf.get_variable("gamma", ...)` that no `variable_scope` encloses was
    named `gamma:0` in TF1 (inside a `Lambda` too: the Lambda's name scope does not
    prefix `get_variable`); its weight keeps the name `gamma`, with the Keras 3 path
    `<layer name>/gamma` (`scale/gamma` for a layer class `Scale` made from a
    function `scale`, `block/gamma` for a layer `Block` whose `call` wrapped it).

    ## Why is this bad?
    A `Lambda` layer does not own variables. Measured: Keras 2 (tf_keras) refuses a
    `Lambda` whose function creates variables (`ValueError: The following Variables
    were created within a Lambda layer ... but are not tracked`) or cannot even run it
    in a model (`tf.Variable` initial values cannot be lifted out of the graph;
    `get_variable` fails with "already exists" on the second trace). Keras 3 is worse:
    in eager calls the function makes *new* variables on every call and the layer
    tracks none (`trainable_weights == []`), so nothing is trained and each call
    starts from fresh random values; in a functional model it fails to infer the
    output shape.

    ## Example
    ```python
    class IncorrectLayer(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def call(self, inputs):
            def lambda_function(x):
                weight = tf.Variable(tf.random.normal(shape=(x.shape[-1], self.units)))
                return tf.matmul(x, weight)

            return keras.layers.Lambda(lambda_function)(inputs)
    ```

    ## Use instead
    ```python
    class IncorrectLayer(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.weight = self.add_weight(
                name="weight",
                shape=(input_shape[-1], self.units),
                initializer=keras.initializers.RandomNormal(stddev=1.0),
            )

        def call(self, inputs):
            def lambda_function(x, weight):
                return tf.matmul(x, weight)

            return lambda_function(inputs, weight=self.weight)
    ```

    ## Fix safety
    The old code never trained its variables (Keras 3) or did not run (Keras 2); the
    new layer computes what the function computed, with its variables created once,
    tracked and trained. A function's variables were created on every call with a
    fresh initial value; now they keep their values between calls, which is what
    the code meant.

    ## When it refuses
    The code is left unchanged, with a finding, when: the function creates
    variables other than as `name = tf.Variable(...)` or `name =
    tf.get_variable(...)` statements at its top level (or, at model level, than the
    forms MTF101 converts); a `get_variable` has a computed name, no shape, a
    `regularizer=` (its penalty went to a TF1 collection) or arguments a weight
    cannot carry; a variable's shape or value needs more of the input than its
    static shape, or a local of `call`; the `Lambda` gets `arguments=` or is applied
    to something other than `call`'s own input; the function takes more than one
    input; a function defined at module level is also used without `Lambda`, is
    wrapped both inside a layer and at model level, is wrapped inside a class that
    is not a Keras layer of the module, names its variables with
    `tf.variable_scope` while wrapped in a layer's `call`, or its stored `Lambda`
    (`self.f`) is used other than by one call in `call` (then all of its uses stay
    as they are: the function's signature changes for all or none); a weight's
    attribute name is taken (or a layer wraps the same function twice); or the
    code is under `# migrate-tf: ignore`.

    ## References
    - Keras `Lambda` layer documentation: "Lambda layers are best suited for simple
      operations ... stateful computation ... should be a subclassed Layer".
    - This project's `../shared/BRIEF.md`, tracking table (`Lambda` creating variables).
    """

    CODE = "MTF203"
    NAME = "lambda-variables"
    SUMMARY = (
        "A `keras.layers.Lambda` whose function creates variables is not tracked (or "
        "fails); create the variables once with `add_weight` in a layer."
    )
    TRIGGERS = ("Lambda",)

    def __init__(self, context) -> None:
        super().__init__(context)
        #: module-level functions that become classes: function id -> class
        self._classes: dict[int, cst.ClassDef] = {}
        #: `Lambda(f)` calls of those functions -> the class instance
        self._instances: dict[int, cst.BaseExpression] = {}
        #: module-level functions wrapped in layers' `call`: function id -> new params
        self._function_params: dict[int, cst.Parameters] = {}
        #: their statements that leave them (variables, locals only sizing weights)
        self._function_removed: set[int] = set()
        #: layer class id -> the Lambda sites of module-level functions in it
        self._class_sites: dict[int, _ModuleSites] = {}

    # Traversal -------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        index = self.context.imports
        wrapped, other_uses = lambda_wrapped_functions(node, index)
        functions = {s.name.value: s for s in node.body if isinstance(s, cst.FunctionDef)}
        for name in sorted(other_uses):
            function = functions[name]
            if self._creates_variables(function) and not self.is_suppressed(function):
                self.report(
                    function.name,
                    f"`{name}` creates variables inside a `keras.layers.Lambda`, which Keras 3 "
                    "does not track; not converted to a layer: it is also used without "
                    "`Lambda`, and those uses would need the layer too",
                    statement=function,
                )
        wrapped = {name: calls for name, calls in wrapped.items() if name not in other_uses}
        in_layers = self._calls_in_layer_methods(node)
        planner = None
        for name, calls in wrapped.items():
            function = functions[name]
            if not self._creates_variables(function) or self.is_suppressed(function):
                continue
            try:
                inside = [call for call in calls if id(call) in in_layers]
                if inside:
                    if len(inside) != len(calls):
                        raise Refusal(
                            "it is wrapped both inside a class and at model level; the "
                            "function cannot both take its weights as arguments and become "
                            "a layer"
                        )
                    self._plan_function_in_layers(node, function, calls)
                    continue
                scoped = self._opens_variable_scope(function)
                if scoped:
                    if planner is None:
                        planner = Planner(
                            node,
                            self.context,
                            self,
                            blocked=frozenset(_module_initializer_names(node, index)),
                            allow_value_uses=True,
                        )
                        planner.plan()
                    classdef, class_name = self._scoped_class(planner, name)
                else:
                    classdef, class_name = self._variable_class(node, function)
                instances = {id(call): self._instance(call, class_name) for call in calls}
            except Refusal as refusal:
                self.report(
                    function.name,
                    f"`{name}` creates variables inside a `keras.layers.Lambda`, which "
                    f"Keras 3 does not track; not converted to a layer: {refusal}",
                    statement=function,
                )
                continue
            self._classes[id(function)] = classdef
            self._instances.update(instances)
            # A TF1 scoped function keeps its TF1 variable names: `verify` can compare it
            # with the function run in a TF1 graph. A function making bare tf.Variables
            # named them nothing a graph run could match (its layer prefixes them).
            kind = "function-to-layer" if scoped else "lambda-function-to-layer"
            self.record(function, kind, name, class_name, inputs=(positional_params(function)[0],))
        return True

    def plan_class(self, classdef: cst.ClassDef, kind: str) -> _ClassPlan | None:
        plan = self._plan_class(classdef, kind)
        sites = self._class_sites.get(id(classdef))
        if sites is None:
            return plan
        if plan is None:
            plan = _ClassPlan(kind, classdef, {}, {}, set(), [])
            self.record(classdef, "layer-class", classdef.name.value, classdef.name.value)
        self.changed = True
        plan.sites.update(sites.replacements)
        plan.removed |= sites.removed
        plan.build_statements[:0] = sites.build_statements
        return plan

    def leave_Call(self, original_node, updated_node):
        instance = self._instances.get(id(original_node))
        if instance is not None:
            self.changed = True
            return instance
        plan = self.plan
        if plan is not None and id(original_node) in plan.sites:
            return plan.sites[id(original_node)].replacement
        return updated_node

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if id(original_node) in self._function_removed:
            return cst.RemovalSentinel.REMOVE
        return self.planned_removal(original_node, updated_node)

    def leave_FunctionDef(self, original_node, updated_node):
        if id(original_node) in self._function_params:
            self.changed = True
            return updated_node.with_changes(params=self._function_params[id(original_node)])
        if id(original_node) in self._classes:
            if self.context.imports.keras_module_name() is None:
                keras_reference(self.context)
            self.changed = True
            return self._classes[id(original_node)]
        plan = self.plan
        if plan is not None and id(original_node) in plan.functions:
            new = plan.functions[id(original_node)]
            body = [s for s in updated_node.body.body]
            return updated_node.with_changes(
                params=new.params, body=updated_node.body.with_changes(body=body)
            )
        return updated_node

    def finish_class(self, original_node, updated_node, plan):
        body = list(updated_node.body.body)
        for position, statement in enumerate(body):
            if isinstance(statement, cst.FunctionDef) and statement.name.value == "build":
                body[position] = insert_into_build(statement, [], plan.build_statements)
                return updated_node.with_changes(body=updated_node.body.with_changes(body=body))
        call = method(original_node, "call")
        build = new_build_method(
            self_name(call) or "self",
            "input_shape",
            plan.build_statements,
            call_super=(plan.kind == "derived"),
            blank_lines=blank_lines_between_methods(original_node),
        )
        return add_method(updated_node, build)

    # Module-level functions -----------------------------------------------------

    def _creates_variables(self, node: cst.CSTNode) -> bool:
        index = self.context.imports
        return any(index.is_api(call.func, *VARIABLE_FACTORIES) for call in find(node, cst.Call))

    def _opens_variable_scope(self, node: cst.CSTNode) -> bool:
        index = self.context.imports
        return any(index.is_api(call.func, "tf.variable_scope") for call in find(node, cst.Call))

    def _calls_in_layer_methods(self, module: cst.Module) -> set[int]:
        """Ids of the calls made inside any class (at any depth): a `Lambda` there is
        not a model-level one, whether the class is a layer, a layer nested in another
        class, or a builder whose methods a layer may call on every step."""
        found: set[int] = set()
        for classdef in find(module, cst.ClassDef):
            found.update(id(call) for call in find(classdef, cst.Call))
        return found

    def _plan_function_in_layers(self, module: cst.Module, function: cst.FunctionDef, calls) -> None:
        """A module-level function that each of its `Lambda`s wraps inside a layer's
        `call`: its variables become weights of each layer (created in `build`), the
        function takes them as arguments, and `call` calls it directly. Every site
        is planned before anything changes; Refusal leaves them all as they are."""
        index = self.context.imports
        name = function.name.value
        if function.decorators:
            raise Refusal("it is decorated")
        if self._opens_variable_scope(function):
            raise Refusal(
                "it is wrapped inside a layer's `call` and names its variables with "
                "`tf.variable_scope`; create them with `self.add_weight` in the layer's "
                "`build` and pass them to the function"
            )
        params = function.params
        if (
            len(params.params) != 1
            or params.posonly_params
            or params.kwonly_params
            or params.star_kwarg is not None
            or isinstance(params.star_arg, cst.Param)
        ):
            raise Refusal("a `Lambda` passes one input, and the function takes more")
        tensor = params.params[0].name.value
        statements = list(function.body.body)
        docstring = [statements.pop(0)] if statements and is_docstring(statements[0]) else []
        weights, build_lines, rest = self._split_body(function, statements, tensor, "self")
        # Names the moved expressions use must mean in `build` what they meant here.
        for weight in weights:
            for _, value in weight.arguments:
                clash = free_names(cst.parse_expression(value)) & {"self"}
                if clash:
                    raise Refusal(f"a weight of `{name}` uses a global named `{sorted(clash)[0]}`")
        top_classes = {id(s): s for s in module.body if isinstance(s, cst.ClassDef)}
        local_layers: dict[str, bool] = {}
        layer_classes = set()
        for statement in module.body:
            if isinstance(statement, cst.ClassDef) and layer_base_kind(statement, index, local_layers):
                local_layers[statement.name.value] = True
                layer_classes.add(id(statement))
        planned: dict[int, _ModuleSites] = {}
        for call in calls:
            classdef = next(
                (c for c in top_classes.values() if any(n is call for n in find(c, cst.Call))), None
            )
            if classdef is None or id(classdef) not in layer_classes:
                raise Refusal("a `Lambda` of it is built in a class that is not a Keras layer of this module")
            if self.is_suppressed(classdef):
                raise Refusal("a layer that wraps it is marked `# migrate-tf: ignore`")
            sites = planned.get(id(classdef)) or self._class_sites.get(id(classdef)) or _ModuleSites()
            self._plan_module_site(classdef, call, function, weights, build_lines, tensor, sites)
            planned[id(classdef)] = sites
        self._class_sites.update(planned)
        kept = set(map(id, docstring + rest))
        self._function_removed |= {id(s) for s in function.body.body if id(s) not in kept}
        new_params = [params.params[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)] + [
            cst.Param(name=cst.Name(w.local)) for w in weights
        ]
        self._function_params[id(function)] = params.with_changes(
            params=[
                p.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                if i < len(new_params) - 1
                else p
                for i, p in enumerate(new_params)
            ]
        )

    def _plan_module_site(self, classdef, lambda_call, function, weights, build_lines, tensor, sites) -> None:
        """One `Lambda(f)` of a module-level function in a layer: `Lambda(f)(x)` in
        `call`, or `self.f = Lambda(f)` in `__init__` applied once, as `self.f(x)`, in
        `call`."""
        name = function.name.value
        call = method(classdef, "call")
        if call is None or self.is_suppressed(call) or self.is_suppressed(method(classdef, "build") or call):
            raise Refusal(f"`{classdef.name.value}` has no `call` this rule may change")
        call_params = positional_params(call)
        if len(call_params) < 2:
            raise Refusal(f"`{classdef.name.value}.call` takes no input")
        self_param, call_input = call_params[0], call_params[1]
        for arg in lambda_call.args[1:]:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword not in DROPPED_LAMBDA_ARGUMENTS:
                raise Refusal(f"its `Lambda` gets `{keyword or code_of(arg.value)}`")
        site = next((c for c in find(call, cst.Call) if c.func is lambda_call), None)
        removed = None
        if site is None:
            site, removed = self._stored_lambda_site(classdef, call, lambda_call)
        if self.is_suppressed(next(s for s in call.body.body if _contains(s, site))):
            raise Refusal("a `call` statement that applies it is marked `# migrate-tf: ignore`")
        if len(site.args) != 1 or site.args[0].keyword is not None or site.args[0].star:
            raise Refusal("its `Lambda` is applied to more than one input")
        if not is_name(site.args[0].value, call_input) or _rebinds(call, call_input):
            raise Refusal(
                f"its `Lambda` is applied to something other than `call`'s input `{call_input}`: "
                "`build` only knows that input's shape"
            )
        taken = set(LAYER_ATTRIBUTES) | _class_attributes(classdef) | sites.taken
        for weight in weights:
            if weight.attribute in taken:
                raise Refusal(
                    f"`{classdef.name.value}` already has `self.{weight.attribute}` (or "
                    f"wraps `{name}` twice)"
                )
        build = method(classdef, "build")
        shape_param = "input_shape"
        build_self = self_param
        if build is not None:
            build_params = positional_params(build)
            if len(build_params) != 2:
                raise Refusal(f"`{classdef.name.value}.build` does not take one input shape")
            build_self, shape_param = build_params
            used = free_names(build) | assigned_names(build)
            lifted = {line.split(" = ")[0] for line in build_lines}
            if lifted & used:
                raise Refusal(f"`{classdef.name.value}.build` already uses `{sorted(lifted & used)[0]}`")
        renames = {"input_shape": shape_param} if shape_param != "input_shape" else {}
        statements = [
            rename_locals_in_statement(parse_statements(line + "\n")[0], renames) for line in build_lines
        ]
        statements = [s.with_changes(leading_lines=[]) for s in statements]
        indent = len(self.context.module.default_indent) * 2
        for weight in weights:
            arguments = [
                (key, code_of(rename_locals(cst.parse_expression(value), renames, {})))
                for key, value in weight.arguments
            ]
            text = render_call(
                f"{build_self}.{weight.attribute} = ", f"{build_self}.add_weight", arguments, indent=indent
            )
            statements.append(parse_statements(text + "\n")[0])
        arguments = ", ".join([call_input] + [f"{w.local}={self_param}.{w.attribute}" for w in weights])
        replacement = cst.parse_expression(f"{name}({arguments})")
        sites.replacements[id(site)] = _LocalPlan(site, replacement, weights, None, None)
        if removed is not None:
            sites.removed.add(removed)
        sites.build_statements.extend(statements)
        sites.taken |= {w.attribute for w in weights}

    def _stored_lambda_site(self, classdef, call, lambda_call):
        """(`self.f(x)` in `call`, the `self.f = Lambda(f)` statement of `__init__`)
        for a Lambda stored by `__init__` and applied once, in `call`."""
        init = method(classdef, "__init__")
        init_self = self_name(init) if init is not None else None
        statement = None
        if init_self is not None:
            for candidate in init.body.body:
                found = single_assignment(candidate)
                if found is not None and found[1] is lambda_call:
                    statement = (candidate, found[0])
        if statement is None or not is_attribute_of(statement[1], init_self):
            raise Refusal(
                "its `Lambda` is neither applied where it is built in `call` nor stored "
                "on `self` by `__init__`"
            )
        attribute = statement[1].attr.value
        self_param = positional_params(call)[0]
        uses = [
            node
            for function in find(classdef, cst.FunctionDef)
            for node in find(function, cst.Attribute)
            if is_attribute_of(node, self_name(function) or "self", attribute)
        ]
        applied = [
            c for c in find(call, cst.Call)
            if is_attribute_of(c.func, self_param, attribute)
        ]
        if len(uses) != 2 or len(applied) != 1:
            raise Refusal(
                f"`self.{attribute}` is used other than by one call in `call`, and each call "
                "of the Lambda would need the same weights"
            )
        if self.is_suppressed(statement[0]):
            raise Refusal("the statement that stores its `Lambda` is marked `# migrate-tf: ignore`")
        return applied[0], id(statement[0])

    def _scoped_class(self, planner: Planner, name: str) -> tuple[cst.ClassDef, str]:
        """The class MTF101's machinery writes for a TF1 scoped function."""
        result = planner.results.get(name)
        if isinstance(result, Refusal):
            raise result
        if result is None or result.classdef is None:
            raise Refusal("its variables are not created the way a layer can create them")
        if len(result.tensors) != 1 or result.training is not None:
            raise Refusal("a `Lambda` passes one input, and the function takes several")
        required = [p for p in result.config if p.default is None]
        if required:
            raise Refusal(
                f"its setting `{required[0].name.value}` has no default, and a `Lambda` "
                "passes none"
            )
        return result.classdef, result.class_name

    def _variable_class(self, module: cst.Module, function: cst.FunctionDef) -> tuple[cst.ClassDef, str]:
        """A layer class for a function of one input that creates `tf.Variable`s in
        `name = tf.Variable(...)` statements."""
        if function.decorators:
            raise Refusal("it is decorated")
        params = function.params
        if (
            len(params.params) != 1
            or params.posonly_params
            or params.kwonly_params
            or params.star_kwarg is not None
            or isinstance(params.star_arg, cst.Param)
        ):
            raise Refusal("a `Lambda` passes one input, and the function takes more")
        tensor = params.params[0].name.value
        statements = list(function.body.body)
        docstring = [statements.pop(0)] if statements and is_docstring(statements[0]) else []
        weights, build_lines, rest = self._split_body(function, statements, tensor, "self")
        renames = {w.local: f"self.{w.attribute}" for w in weights}
        call_body = [rename_locals(s, renames, {}) for s in rest]
        class_name = capwords(function.name.value)
        names = module_level_names(module)
        if class_name in names or class_name == function.name.value:
            class_name += "Layer"
            if class_name in names:
                raise Refusal(f"the class name `{class_name}` is taken")
        base = f"{keras_reference(self.context)}.layers.Layer"
        lines = [f"class {class_name}({base}):"]
        for statement in docstring:
            lines.append(_indent(code_of_statement(statement), 1))
        lines.append("    def build(self, input_shape):")
        lines.extend(_indent(line, 2) for line in build_lines)
        for weight in weights:
            text = render_call(
                f"self.{weight.attribute} = ", "self.add_weight", weight.arguments, indent=8
            )
            lines.append(_indent(text, 2))
        lines.append("")
        lines.append(f"    def call(self, {tensor}):")
        classdef = parse_statements("\n".join(lines) + "\n        pass\n")[0]
        call = classdef.body.body[-1]
        call = call.with_changes(body=call.body.with_changes(body=call_body))
        body = list(classdef.body.body[:-1]) + [call]
        if docstring:
            build = body[1]
            body[1] = build.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        classdef = classdef.with_changes(
            body=classdef.body.with_changes(body=body),
            leading_lines=function.leading_lines,
        )
        return classdef, class_name

    def _split_body(self, function, statements, tensor: str, self_param: str):
        """(weights, lines for `build` before them, the statements left for `call`).

        Every variable is a `name = tf.Variable(...)` statement at the top level;
        locals its shape needs are computed again in `build` from the input shape."""
        index = self.context.imports
        weights: list[_Weight] = []
        rest = []
        shape_locals: dict[str, cst.BaseExpression] = {}
        build_lines: list[str] = []
        counts: dict[str, int] = {}
        for target in find(function.body, cst.AssignTarget):
            for name in free_names(target.target):
                counts[name] = counts.get(name, 0) + 1
        taken = set(LAYER_ATTRIBUTES)
        for statement in statements:
            found = _local_variable(statement, index)
            if found is None:
                if self._creates_variables(statement):
                    raise Refusal(
                        f"`{_first_line(statement)}` creates a variable other than as "
                        "`name = tf.Variable(...)` or `name = tf.get_variable(...)`"
                    )
                rest.append(statement)
                local = _simple_assignment(statement)
                if local is not None and counts.get(local[0]) == 1:
                    shape_locals[local[0]] = local[1]
                continue
            name, call = found
            if counts.get(name) != 1:
                raise Refusal(f"`{name}` is assigned more than once")
            if name in taken:
                raise Refusal(f"`self.{name}` would shadow what a Keras layer has")
            forbidden = {
                local: f"a local variable of `{function.name.value}`"
                for local in assigned_names(function)
                if local not in shape_locals and local != tensor
            }

            def move(value):
                for used in sorted(free_names(value) & set(shape_locals)):
                    if used not in [line.split(" = ")[0] for line in build_lines]:
                        lifted = lift_input_shapes(shape_locals[used], {tensor: "input_shape"})
                        build_lines.append(f"{used} = {code_of(lifted)}")
                lifted = lift_input_shapes(value, {tensor: "input_shape"})
                return rename_locals(lifted, {}, forbidden)

            if index.is_api(call.func, "tf.get_variable"):
                arguments = bind_arguments(call, GET_VARIABLE_PARAMETERS)
                weights.append(_Weight(name, name, get_variable_weight(self.context, arguments, move)))
                continue
            arguments, expressions = variable_arguments(call)
            moved = {key: move(value) for key, value in expressions.items()}
            weights.append(
                _Weight(name, name, add_weight_arguments(self.context, arguments, moved, weight_name(arguments.get("name"), name)))
            )
        if not weights:
            raise Refusal("it creates no variable this rule can move")
        # Shape locals used only to size the weights leave `call`.
        def only_sizes_weights(statement) -> bool:
            local = _simple_assignment(statement)
            if local is None or not any(line.startswith(f"{local[0]} = ") for line in build_lines):
                return False
            return not any(local[0] in free_names(other) for other in rest if other is not statement)

        return weights, build_lines, [s for s in rest if not only_sizes_weights(s)]

    def _instance(self, call: cst.Call, class_name: str) -> cst.BaseExpression:
        """`ClassName()` (keeping `name=`) for a `Lambda(function, ...)` call."""
        arguments = []
        for position, arg in enumerate(call.args):
            keyword = arg.keyword.value if arg.keyword is not None else None
            if position == 0 and keyword is None or keyword == "function":
                continue
            if keyword in DROPPED_LAMBDA_ARGUMENTS:
                continue
            if keyword in ("name", "trainable", "dtype"):
                arguments.append(f"{keyword}={code_of(arg.value)}")
                continue
            raise Refusal(f"its `Lambda` gets `{keyword or code_of(arg.value)}`, which a layer class has no place for")
        return cst.parse_expression(f"{class_name}({', '.join(arguments)})")

    # Lambdas inside a layer's `call` ----------------------------------------------

    def _plan_class(self, classdef: cst.ClassDef, kind: str) -> _ClassPlan | None:
        call = method(classdef, "call")
        if call is None or self.is_suppressed(call):
            return None
        index = self.context.imports
        params = positional_params(call)
        if len(params) < 2:
            return None
        self_param, tensor = params[0], params[1]
        plan = _ClassPlan(kind, classdef, {}, {}, set(), [])
        local_defs = {
            s.name.value: s for s in call.body.body if isinstance(s, cst.FunctionDef)
        }
        taken = set(LAYER_ATTRIBUTES) | _class_attributes(classdef)
        problems = []
        # `Lambda(f)(x)` sites whose function creates variables -> that function (a
        # lambda or a local def). Planning them takes names and orders the weights of
        # `build`: it goes in source order.
        targets: dict[int, cst.CSTNode] = {}
        sites = []
        for site in find(call, cst.Call):
            inner = site.func
            if not (isinstance(inner, cst.Call) and is_lambda_layer(inner, index)):
                continue
            function = wrapped_function(inner)
            if function is None:
                continue
            target = local_defs.get(function.value) if isinstance(function, cst.Name) else function
            if target is None or not self._creates_variables(target):
                continue
            targets[id(site)] = target
            sites.append(site)
        for site in sites:
            inner, target = site.func, targets[id(site)]
            try:
                if self.is_suppressed(next(s for s in call.body.body if _contains(s, site))):
                    return None
                local_plan = self._plan_site(site, inner, target, self_param, tensor, call, taken, plan)
            except Refusal as refusal:
                problems.append((site, refusal.detached()))
                continue
            plan.sites[id(site)] = local_plan
            taken |= {w.attribute for w in local_plan.weights}
        for site, refusal in problems:
            self.report(
                site,
                "a `keras.layers.Lambda` built in `call` creates variables that Keras 3 "
                f"makes anew on every call and never tracks; not converted: {refusal}",
                statement=next(s for s in call.body.body if _contains(s, site)),
            )
        if problems or not plan.sites:
            return None
        if self.is_suppressed(method(classdef, "build") or call):
            return None
        self.changed = True
        self.record(classdef, "layer-class", classdef.name.value, classdef.name.value)
        return plan

    def _plan_site(self, site, lambda_call, function, self_param, tensor, call, taken, plan) -> _LocalPlan:
        if len(site.args) != 1 or site.args[0].keyword is not None or site.args[0].star:
            raise Refusal("the `Lambda` is applied to more than one input")
        if not is_name(site.args[0].value, tensor) or _rebinds(call, tensor):
            raise Refusal(f"the `Lambda` is applied to something other than `call`'s input `{tensor}`")
        for arg in lambda_call.args[1:]:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword not in DROPPED_LAMBDA_ARGUMENTS:
                raise Refusal(f"the `Lambda` gets `{keyword or code_of(arg.value)}`")
        if isinstance(function, cst.Lambda):
            return self._plan_inline(site, function, tensor, taken, plan)
        return self._plan_local_def(site, function, tensor, call, taken, plan)

    def _plan_inline(self, site, function: cst.Lambda, tensor, taken, plan) -> _LocalPlan:
        params = function.params
        if len(params.params) != 1 or params.kwonly_params or params.star_kwarg or isinstance(params.star_arg, cst.Param):
            raise Refusal("the `lambda` takes more than one input")
        parameter = params.params[0].name.value
        weights, replacements = [], {}
        index = self.context.imports
        variables = [
            c for c in find(function.body, cst.Call) if index.is_api(c.func, *VARIABLE_FACTORIES)
        ]
        for variable in variables:
            if not index.is_api(variable.func, "tf.Variable"):
                raise Refusal(f"`{code_of(variable.func)}` in a `lambda` is not a `tf.Variable`")
            arguments, expressions = variable_arguments(variable)
            name_node = arguments.get("name")
            if not isinstance(name_node, cst.SimpleString):
                raise Refusal("a `tf.Variable` in a `lambda` has no literal `name=` to call its weight")
            name = weight_name(name_node, "")
            attribute = name if name.isidentifier() else None
            if attribute is None or attribute in taken:
                raise Refusal(f"the weight name `{name}` cannot be an attribute of the layer")
            moved = {
                key: rename_locals(lift_input_shapes(value, {parameter: "input_shape"}), {}, {})
                for key, value in expressions.items()
            }
            weights.append(_Weight(name, attribute, add_weight_arguments(self.context, arguments, moved, name)))
            replacements[id(variable)] = attribute
            taken = taken | {attribute}

        body = function.body.visit(_ReplaceCalls(replacements))
        body = rename_locals(body, {parameter: tensor}, {})
        atomic = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)
        if not isinstance(body, atomic) and not _stands_alone(plan.classdef, site):
            body = body.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        plan.build_statements.extend(self._weight_statements(weights))
        return _LocalPlan(site, body, weights, None, None)

    def _plan_local_def(self, site, function: cst.FunctionDef, tensor, call, taken, plan) -> _LocalPlan:
        if function.decorators:
            raise Refusal(f"`{function.name.value}` is decorated")
        params = function.params
        if len(params.params) != 1 or params.kwonly_params or params.star_kwarg or isinstance(params.star_arg, cst.Param):
            raise Refusal(f"`{function.name.value}` takes more than one input")
        uses = [
            n
            for n in find(call, cst.Name)
            if n.value == function.name.value and n is not function.name
        ]
        if len(uses) != 1:
            raise Refusal(f"`{function.name.value}` is used other than by this `Lambda`")
        parameter = params.params[0].name.value
        self_param = positional_params(call)[0]
        statements = list(function.body.body)
        weights, build_lines, rest = self._split_body(function, statements, parameter, self_param)
        if build_lines:
            raise Refusal("a weight's shape needs locals of the function")
        for weight in weights:
            if weight.attribute in taken:
                raise Refusal(f"`self.{weight.attribute}` is taken")
        # Closure names of `call` other than `self` are gone in `build`.
        call_locals = assigned_names(call) - {self_param}
        for weight in weights:
            for _, value in weight.arguments:
                blocked = free_names(cst.parse_expression(value)) & call_locals
                if blocked:
                    raise Refusal(f"a weight needs `{sorted(blocked)[0]}`, a local of `call`")
        removed = {id(s) for s in statements if _local_variable(s, self.context.imports) is not None}
        new_params = params.with_changes(
            params=[*params.params[:-1], params.params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
            + [cst.Param(name=cst.Name(w.local)) for w in weights]
        )
        new_params = new_params.with_changes(
            params=[
                p.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                if i < len(new_params.params) - 1
                else p.with_changes(comma=cst.MaybeSentinel.DEFAULT)
                for i, p in enumerate(new_params.params)
            ]
        )
        plan.functions[id(function)] = function.with_changes(params=new_params)
        plan.removed |= removed
        arguments = ", ".join([tensor] + [f"{w.local}={self_param}.{w.attribute}" for w in weights])
        replacement = cst.parse_expression(f"{function.name.value}({arguments})")
        plan.build_statements.extend(self._weight_statements(weights, self_param))
        return _LocalPlan(site, replacement, weights, function, None)

    def _weight_statements(self, weights, self_param: str = "self") -> list:
        indent = len(self.context.module.default_indent) * (self.depth + 1)
        statements = []
        for weight in weights:
            text = render_call(
                f"{self_param}.{weight.attribute} = ", f"{self_param}.add_weight", weight.arguments, indent=indent
            )
            statements.append(parse_statements(text + "\n")[0])
        return statements


def rename_locals_in_statement(statement, renames: dict[str, str]):
    """`name = value` with ``renames`` applied to the value."""
    if not renames:
        return statement
    small = statement.body[0]
    return statement.with_changes(body=[small.with_changes(value=rename_locals(small.value, renames, {}))])


def _local_variable(statement, index):
    """(name, call) for a `name = tf.Variable(...)` or `name = tf.get_variable(...)`
    statement."""
    found = _simple_assignment(statement)
    if found is None or not isinstance(found[1], cst.Call):
        return None
    if not index.is_api(found[1].func, "tf.Variable", "tf.get_variable"):
        return None
    return found


def _simple_assignment(statement):
    """(name, value) for a `name = value` statement."""
    found = single_assignment(statement)
    if found is None or not isinstance(found[0], cst.Name):
        return None
    return found[0].value, found[1]


def _module_initializer_names(module: cst.Module, index) -> set[str]:
    from migrate_tf.shared.scoped_functions.planner import module_initializers_of

    return set(module_initializers_of(module, index))


def _class_attributes(classdef: cst.ClassDef) -> set[str]:
    names = set()
    for function in find(classdef, cst.FunctionDef):
        self_param = self_name(function)
        if self_param is None:
            continue
        for target in find(function, cst.AssignTarget):
            if is_attribute_of(target.target, self_param):
                names.add(target.target.attr.value)
        names.add(function.name.value)
    return names


# The visitors below are classes of their own, not classes defined per call: a class
# is always part of a reference cycle, and its methods' closures would keep the trees
# they refer to alive until a full garbage collection.


class _ReplaceCalls(Transformer):
    """Each call whose id ``replacements`` maps becomes ``self.<attribute>``."""

    def __init__(self, replacements: dict[int, str]) -> None:
        super().__init__()
        self.replacements = replacements

    def leave_Call(self, original_node, updated_node):
        if id(original_node) in self.replacements:
            return cst.parse_expression(f"self.{self.replacements[id(original_node)]}")
        return updated_node


class _ParentFinder(cst.CSTVisitor):
    """The first node visited that has ``node`` as a child."""

    def __init__(self, node: cst.CSTNode) -> None:
        super().__init__()
        self.node = node
        self.found: cst.CSTNode | None = None

    def on_visit(self, candidate) -> bool:
        if self.found is None and any(child is self.node for child in candidate.children):
            self.found = candidate
        return self.found is None


def _stands_alone(root: cst.CSTNode, node: cst.CSTNode) -> bool:
    """Whether ``node`` is a whole expression where it is (returned, assigned, an
    argument or an element), so an expression put there needs no parentheses."""
    standalone = (cst.Return, cst.Assign, cst.AnnAssign, cst.Arg, cst.Element, cst.Expr)
    finder = _ParentFinder(node)
    root.visit(finder)
    return isinstance(finder.found, standalone)


def _rebinds(function: cst.FunctionDef, name: str) -> bool:
    return any(
        is_name(found, name)
        for target in find(function, cst.AssignTarget, cst.AugAssign)
        for found in find(target.target, cst.Name)
    )


def _contains(statement: cst.CSTNode, node: cst.CSTNode) -> bool:
    return any(found is node for found in find(statement, cst.Call))


def _first_line(statement) -> str:
    text = cst.Module(body=[statement]).code.strip()
    return text.splitlines()[0] if text else ""


def code_of_statement(statement) -> str:
    return cst.Module(body=[statement]).code.rstrip("\n")


def _indent(text: str, levels: int) -> str:
    return "\n".join(("    " * levels + line) if line else line for line in text.splitlines())
