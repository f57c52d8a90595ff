"""Planning: which TF1 functions of a module convert, and into what.

The planner reads every top-level function, classifies its parameters (tensor inputs
or settings), collects its variables, sublayers and nested scopes, and either
returns a :class:`LayerPlan` with the rendered class or a :class:`Refusal` saying
which construct stopped it. Functions are planned callees first; a function that
calls one which did not convert does not convert either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING


import libcst as cst

from migrate_tf.shared.walk import find

from migrate_tf.shared.codegen import (
    code_of,
)
from migrate_tf.shared.imports import ImportIndex
from migrate_tf.shared.initializers import (
    Refusal,
    bind_arguments,
    TF_VARIABLE_PARAMETERS,
    TF_VARIABLE_UNSUPPORTED,
    is_none,
    keras_initializer,
)
from migrate_tf.shared.layers import safe_attribute
from migrate_tf.shared.names import (
    find_param,
    free_names,
    is_attribute_of,
    is_docstring,
    is_name,
    is_string,
    keyword_argument,
    reads,
)
from migrate_tf.shared.shapes import bound_names
from migrate_tf.shared.tf_layers import layer_spec, split_layer_call

from migrate_tf.shared.scoped_functions.model import (
    AUTO_REUSE,
    GET_VARIABLE_PARAMETERS,
    LAYER_CONSTRUCTOR_KEYWORDS,
    RESERVED_CALL_NAMES,
    TENSOR_KEYWORDS,
    TENSOR_OPERANDS,
    UNSUPPORTED_GET_VARIABLE_ARGUMENTS,
    UNSUPPORTED_SCOPE_ARGUMENTS,
    VARIABLE_SCOPE_PARAMETERS,
    Container,
    LayerPlan,
    Sublayer,
    Weight,
    attribute_name,
    capwords,
    module_level_names,
)
from migrate_tf.shared.scoped_functions.writer import ClassWriter

if TYPE_CHECKING:
    from migrate_tf.rules.base import Rule




class _AskedAbout(frozenset):
    """A frozenset of names that notes every name tested for membership in it."""

    __slots__ = ("asked",)

    def __new__(cls, names, asked: set[str]):
        self = super().__new__(cls, names)
        self.asked = asked
        return self

    def __contains__(self, name) -> bool:
        self.asked.add(name)
        return frozenset.__contains__(self, name)


class Planner:
    """Decides, for every top-level function of a module, whether and how it converts."""

    def __init__(
        self,
        module: cst.Module,
        context,
        rule: Rule,
        blocked=frozenset(),
        exclude=frozenset(),
        *,
        allow_value_uses: bool = False,
    ) -> None:
        self.module = module
        self.context = context
        self.index = context.imports
        self.rule = rule
        #: findings of this planning pass: (node, message, statement)
        self.findings: list[tuple[cst.CSTNode, str, cst.CSTNode]] = []
        self.module_initializers = module_initializers_of(module, context.imports)
        #: module-level initializers that code outside the conversions also uses
        self.blocked = frozenset(blocked)
        #: Every name whose membership in ``blocked`` some decision of this planning
        #: depended on. ``blocked`` enters the planning at three places only: the
        #: membership tests of ``initializer_names`` (here, in the writer and in
        #: tf_layers), a tf.layers call's arguments inlined in :meth:`_tf_layer`, and a
        #: weight's initializer inlined by the writer; each notes its names here. The
        #: planning is otherwise a function of the module alone, so planning again
        #: with other names blocked, none of them noted here, decides exactly the same
        #: (MTF101 uses this to plan once where it planned twice).
        self.consulted: set[str] = set()
        self.initializer_names = _AskedAbout(
            set(self.module_initializers) - self.blocked, self.consulted
        )
        #: functions left to another rule (those only a `keras.layers.Lambda` wraps)
        self.functions = {
            statement.name.value: statement
            for statement in module.body
            if isinstance(statement, cst.FunctionDef) and statement.name.value not in exclude
        }
        self.module_names = module_level_names(module)
        #: functions the module uses as values (`fn = dense`, callbacks, `__all__`):
        #: a layer class cannot stand in for them
        #: (a rule that replaces those uses itself, as MTF203 does for `Lambda(fn)`,
        #: plans with `allow_value_uses`)
        self.value_uses = {} if allow_value_uses else value_uses(module, set(self.functions))
        self.results: dict[str, LayerPlan | Refusal | None] = {}
        self.in_progress: set[str] = set()

    def plan(self) -> dict[int, LayerPlan]:
        for name in self.functions:
            self._result(name)
        return {
            id(result.function): result
            for result in self.results.values()
            if isinstance(result, LayerPlan)
        }

    def _result(self, name: str):
        if name in self.results:
            return self.results[name]
        if name in self.in_progress:
            return Refusal(f"`{name}` calls itself")
        function = self.functions[name]
        self.in_progress.add(name)
        result: LayerPlan | Refusal | None
        try:
            result = self._analyse(function)
        except Refusal as refusal:
            result = refusal.detached()
            if not self.rule.is_suppressed(function):
                self.findings.append(
                    (function.name, f"`{name}` was not converted to a Keras layer: {refusal}", function)
                )
        self.in_progress.discard(name)
        self.results[name] = result
        return result

    # The analysis of one function ----------------------------------------------------

    def _analyse(self, function: cst.FunctionDef) -> LayerPlan | None:
        if not self._creates_variables(function):
            return None
        if self.rule.is_suppressed(function):
            return None
        if self.context.has_suppressions and any(
            self.rule.is_suppressed(statement)
            for statement in find(function.body, cst.SimpleStatementLine, cst.BaseCompoundStatement)
        ):
            # A function is converted whole or not at all: an ignored statement
            # inside keeps the whole function as it is.
            return None
        if function.name.value in self.value_uses:
            raise Refusal(
                f"`{function.name.value}` is also used as a value "
                f"({self.value_uses[function.name.value]}), which a layer class cannot replace"
            )
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
        if statements and is_docstring(statements[0]):
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
        auto_reuse = reuse_parameter == AUTO_REUSE
        if auto_reuse:
            reuse_parameter = None

        body = before + list(scope_statement.body.body) + after
        conversion = LayerPlan(
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
        conversion.classdef = ClassWriter(conversion, self.context, self).write()
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
                and isinstance(statement.body[0], cst.Expr)
                and isinstance(statement.body[0].value, cst.Call)
                and not statement.body[0].value.args
                and is_attribute_of(statement.body[0].value.func, alias.value, "reuse_variables")
            ):
                found.append(statement)
            elif reads(statement, alias.value):
                raise Refusal(
                    f"it uses the scope object `{alias.value}` for more than `reuse_variables()`"
                )
        if not found:
            raise Refusal(f"it binds the scope object `{alias.value}` without using it")
        return found

    def _creates_variables(self, function: cst.FunctionDef) -> bool:
        for call in find(function, cst.Call):
            if self.index.is_api(call.func, "tf.variable_scope", "tf.get_variable"):
                return True
        return False

    def _has_variable_creation(self, node: cst.CSTNode) -> bool:
        for call in find(node, cst.Call):
            if self.index.is_api(
                call.func, "tf.get_variable", "tf.Variable", "tf.variable_scope"
            ):
                return True
            if isinstance(call.func, cst.Name) and call.func.value in self.functions:
                result = self._result(call.func.value)
                if isinstance(result, (LayerPlan, Refusal)):
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
        if default_name is not None and not is_string(default_name):
            raise Refusal(f"the default scope name `{code_of(default_name)}` is computed")
        default = default_name.evaluated_value if default_name is not None else None
        if name is None or is_none(name):
            if default is None:
                raise Refusal("its scope has no name")
            return None, default
        if is_string(name):
            return None, name.evaluated_value
        if (
            isinstance(name, cst.BooleanOperation)
            and isinstance(name.operator, cst.Or)
            and isinstance(name.left, cst.Name)
            and is_string(name.right)
        ):
            # `variable_scope(scope or "Linear")`: the parameter, defaulting to the literal.
            param = find_param(function, name.left.value)
            if param is None or (param.default is not None and not is_none(param.default)):
                raise Refusal(f"the scope name `{code_of(name)}` is computed")
            return name.left.value, name.right.evaluated_value
        if isinstance(name, cst.Name):
            param = find_param(function, name.value)
            if param is None:
                raise Refusal(f"the scope name `{name.value}` is not a parameter")
            if param.default is None:
                return name.value, default
            if is_string(param.default):
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
        if reuse is None or is_none(reuse) or is_name(reuse, "False"):
            return None
        if self.index.is_api(reuse, "tf.AUTO_REUSE"):
            return AUTO_REUSE
        if isinstance(reuse, cst.Name) and find_param(function, reuse.value) is not None:
            param = find_param(function, reuse.value)
            if param.default is not None and (
                is_name(param.default, "False") or is_none(param.default)
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

    def _collect_weights_and_sublayers(self, conversion: LayerPlan, body) -> None:
        assignments: dict[str, int] = {}
        for statement in body:
            for target in find(statement, cst.AssignTarget, cst.AugAssign):
                for name in bound_names(target.target):
                    assignments[name] = assignments.get(name, 0) + 1
        sublayers: dict[str, Sublayer] = {}
        self._reusing = False
        self._uses_tf_variable = False
        self._walk(conversion, body, (), assignments, sublayers)
        self._reusing = False
        conversion.uses_tf_variable = self._uses_tf_variable
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
                        conversion.containers.append(Container(container, scope_path[0]))
                conversion.weights.append(
                    Weight(
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
            for call in find(statement, cst.Call):
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
        loop = _range_loop(statement)
        if loop is None:
            return None
        for call in find(statement.body, cst.Call):
            if layer_spec(call, self.index) is not None:
                return loop
            if isinstance(call.func, cst.Name) and isinstance(
                self._result(call.func.value) if call.func.value in self.functions else None,
                LayerPlan,
            ):
                return loop
        return None

    def _variable_loop(self, statement) -> tuple[str, cst.Call] | None:
        """(loop variable, `range(...)`) of `for i in range(...)` whose body opens an
        indexed scope holding variables, else None."""
        loop = _range_loop(statement)
        if loop is None:
            return None
        if any(self._scope_call_of(inner) is not None for inner in statement.body.body):
            return loop
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
                Container(
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
                    Weight(
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
            for call in find(statement, cst.Call):
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
                if spec is None and not isinstance(result, LayerPlan):
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
            and is_string(node.left)
            and is_name(node.right, variable)
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
                and is_name(parts[1].expression, variable)
                and parts[1].format_spec is None
                and parts[1].conversion is None
            ):
                return parts[0].value
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "format"
            and is_string(node.func.value)
            and len(node.args) == 1
            and is_name(node.args[0].value, variable)
        ):
            template = node.func.value.evaluated_value
            if template.count("{") == 1 and template.endswith("{}"):
                return template[:-2]
        raise Refusal(f"the scope name `{code_of(node)}` is computed")

    def _tf_layer(self, call, spec, conversion, scope_path, sublayers, indexed=None) -> None:
        keras = self.index.keras_module_name() or "keras"
        # The layer's settings read shared initializers inline; the call node itself
        # stays the original, which is how `call` finds what to replace.
        self.consulted.update(arg.value.value for arg in call.args if isinstance(arg.value, cst.Name))
        source = _inline_initializer_names(
            call, {name: self.module_initializers[name][1] for name in self.blocked}
        )
        if (
            conversion.scope_initializer is not None
            and "kernel_initializer" in spec.constructor
            and keyword_argument(call, "kernel_initializer") is None
        ):
            # TF1 layers without a kernel initializer take the scope's default.
            source = source.with_changes(
                args=[
                    *source.args,
                    cst.Arg(keyword=cst.Name("kernel_initializer"), value=conversion.scope_initializer),
                ]
            )
        if indexed is not None:
            name_argument = keyword_argument(call, "name")
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
                    if layer.training is not None and not is_name(layer.training, "False")
                    else []
                ),
                callee=None, keras_class=spec.keras_class, keras_arguments=layer.constructor,
            )
            return
        layer = split_layer_call(source, spec, self.index, keras, self.initializer_names)
        reused = getattr(self, "_reusing", False) or (
            layer.reuse is not None
            and (
                is_name(layer.reuse, "True")
                or self.index.is_api(layer.reuse, "tf.AUTO_REUSE")
            )
        )
        if layer.reuse is not None and not reused and not (
            is_none(layer.reuse) or is_name(layer.reuse, "False")
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
        if layer.training is not None and not is_name(layer.training, "False"):
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
        sublayer = Sublayer(
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
        sublayer = Sublayer(
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
        if not is_string(name):
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
        if self.index.is_api(value.func, "tf.Variable"):
            # A TF1 `tf.Variable` in a scope is named `scope/name`, like get_variable's.
            arguments = bind_arguments(value, TF_VARIABLE_PARAMETERS)
            for argument in TF_VARIABLE_UNSUPPORTED:
                if argument in arguments:
                    raise Refusal(f"`tf.Variable(..., {argument}=...)` has no Keras 3 equivalent")
            if "initial_value" not in arguments:
                raise Refusal("a `tf.Variable` has no initial value")
            if "name" not in arguments:
                raise Refusal(
                    "a `tf.Variable` has no `name=`; TF1 numbers such variables "
                    "(`Variable`, `Variable_1`) and the order is not certain"
                )
            self._uses_tf_variable = True
            return target.value, arguments
        if not self.index.is_api(value.func, "tf.get_variable"):
            return None
        arguments = bind_arguments(value, GET_VARIABLE_PARAMETERS)
        for argument in UNSUPPORTED_GET_VARIABLE_ARGUMENTS:
            if argument in arguments and not is_none(arguments[argument]):
                raise Refusal(f"`get_variable(..., {argument}=...)` has no Keras 3 equivalent")
        validate = arguments.get("validate_shape")
        if validate is not None and not is_name(validate, "True"):
            raise Refusal("`get_variable(..., validate_shape=False)` has no Keras 3 equivalent")
        return target.value, arguments

    @staticmethod
    def _variable_name(arguments) -> str:
        name = arguments.get("name")
        if name is None or not is_string(name):
            raise Refusal(
                f"the variable name `{code_of(name) if name is not None else ''}` is computed"
            )
        value = name.evaluated_value
        if "/" in value or not value:
            raise Refusal(f"the variable name {code_of(name)} contains `/`")
        return value

    def _sublayer(self, call, callee: LayerPlan, conversion, scope_path, sublayers, indexed=None) -> None:
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
            if not is_string(scope_value):
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
            if is_name(reuse, "True") or self.index.is_api(reuse, "tf.AUTO_REUSE"):
                reused = True
            elif not (is_name(reuse, "False") or is_none(reuse)):
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
                keyword_name = callee.input_renames.get(name, name)
                tensors.append((None if param.default is None else keyword_name, bound[name]))
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
            if callee.uses_tf_variable:
                raise Refusal(
                    f"`{code_of(call.func)}` creates `tf.Variable`s, which TF1 does not "
                    "share under reuse: each call made new ones"
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
        sublayer = Sublayer(attribute, scope, callee, [call], constructor, {id(call): tensors})
        sublayers[path] = sublayer
        conversion.sublayers.append(sublayer)

    # Parameters ---------------------------------------------------------------------

    def _classify_parameters(self, conversion: LayerPlan, body) -> None:
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
            for assign in find(statement, cst.Assign):
                value = assign.value
                if isinstance(value, cst.Name) and value.value in parameters:
                    for target in assign.targets:
                        if isinstance(target.target, cst.Name) and target.target.value not in parameters:
                            aliases.setdefault(target.target.value, value.value)
        names = parameters | set(aliases)
        for name in special - {None}:
            for statement in body:
                if reads(statement, name):
                    raise Refusal(f"`{name}` is used for more than the variable scope")

        weight_statements = {id(weight.statement) for weight in conversion.weights}
        for statement in body:
            if id(statement) in weight_statements:
                continue  # its arguments are settings, read below
            for node in find(statement, cst.Attribute):
                base = node.value
                if isinstance(base, cst.Name) and base.value in names:
                    if node.attr.value in ("get_shape", "shape", "dtype", "op", "graph"):
                        tensor_evidence.add(base.value)
            for call in find(statement, cst.Call):
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
                for name in free_names(value):
                    if name in names and name not in bases:
                        config_evidence.add(name)
        for sublayer in conversion.sublayers:
            for _, value in sublayer.constructor_arguments:
                config_evidence.update(n.value for n in find(value, cst.Name) if n.value in names)
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
            elif any(reads(statement, name) for statement in body):
                raise Refusal(
                    f"cannot tell whether `{name}` is a tensor input or a setting"
                )
            else:
                conversion.config.append(param)
        if not conversion.tensors:
            raise Refusal("it has no tensor input")
        used = {p.name.value for p in params} | set(self._body_names(body))
        for param in conversion.tensors:
            name = param.name.value
            if name in RESERVED_CALL_NAMES:
                new_name = "inputs" if len(conversion.tensors) == 1 and "inputs" not in used else f"{name}_input"
                if new_name in used:
                    raise Refusal(f"the input `{name}` needs a new name and `{new_name}` is taken")
                conversion.input_renames[name] = new_name

    def _arithmetic_with_tensors(self, conversion, body, names) -> set[str]:
        """Parameters combined by arithmetic with something known to be a tensor
        (a variable, a TF op's result, or a local computed from them)."""
        tensors = {weight.attribute for weight in conversion.weights}
        found: set[str] = set()

        def is_tensor(expression) -> bool:
            if any(n.value in tensors for n in find(expression, cst.Name)):
                return True
            for call in find(expression, cst.Call):
                canonical = self.index.canonical(call.func) or ""
                if canonical.startswith(("tf.", "tf1.")) or id(call) in sublayer_calls:
                    return True
            return False

        sublayer_calls = {id(call) for sublayer in conversion.sublayers for call in sublayer.calls}
        for _ in range(4):  # locals computed from locals: a few rounds reach them all
            for statement in body:
                for assign in find(statement, cst.Assign):
                    if is_tensor(assign.value):
                        for target in assign.targets:
                            tensors.update(bound_names(target.target))
                for operation in find(statement, cst.BinaryOperation):
                    sides = (operation.left, operation.right)
                    for side, other in (sides, sides[::-1]):
                        if isinstance(side, cst.Name) and side.value in names and is_tensor(other):
                            found.add(side.value)
                            tensors.add(side.value)
        return found

    @staticmethod
    def _body_names(body) -> set[str]:
        names: set[str] = set()
        for statement in body:
            names |= free_names(statement)
            for target in find(statement, cst.AssignTarget):
                names.update(bound_names(target.target))
        return names

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
                    for name in free_names(value):
                        if name in names and name not in bases:
                            config_evidence.add(name)
        elif isinstance(call.func, cst.Name) and call.func.value == "range":
            for arg in call.args:
                config_evidence.update(
                    n.value for n in find(arg.value, cst.Name) if n.value in names
                )

    def _check_body(self, conversion: LayerPlan) -> None:
        config = set(conversion.config_names)
        for statement in conversion.body:
            for target in find(statement, cst.AssignTarget, cst.AugAssign):
                for name in bound_names(target.target):
                    if name in config:
                        raise Refusal(f"the setting `{name}` is reassigned in the function")
            for node in find(statement, cst.Global, cst.Nonlocal):
                raise Refusal("it uses `global` or `nonlocal`")
            for node in find(statement, cst.Yield):
                raise Refusal("it is a generator")
            renamed = config | {weight.attribute for weight in conversion.weights}
            for node in find(statement, cst.Param, cst.CompFor):
                target = node.name if isinstance(node, cst.Param) else node.target
                clash = set(bound_names(target)) & renamed
                if clash:
                    raise Refusal(
                        f"an inner function or comprehension rebinds `{sorted(clash)[0]}`"
                    )
            for call in find(statement, cst.Call):
                if self.index.is_api(
                    call.func,
                    "tf.get_variable_scope",
                    "tf.get_collection",
                    "tf.add_to_collection",
                    "tf.placeholder",
                ):
                    raise Refusal(f"it calls `{code_of(call.func)}`")



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
    for node in find(expression, cst.Attribute):
        if isinstance(node.value, cst.Name) and node.attr.value in ("get_shape", "shape"):
            bases.add(node.value.value)
    for call in (c for c in find(expression, cst.Call) if isinstance(c.func, cst.Name)):
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

def module_initializers_of(module: cst.Module, index: ImportIndex) -> dict[str, tuple]:
    """Module-level `name = <initializer>` bound once: name -> (statement, value,
    its Keras 3 spelling)."""
    counts: dict[str, int] = {}
    found = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for target in find(statement, cst.AssignTarget):
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

def initializers_shared_with_other_code(module, initializers, conversions) -> frozenset[str]:
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
            elif reads(top, name):
                shared.add(name)
    return frozenset(shared)

def _reads_outside_initializer_arguments(function: cst.CSTNode, name: str) -> bool:
    for call in find(function, cst.Call):
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value.endswith("initializer"):
                continue
            if is_name(arg.value, name) and arg.keyword is None:
                # positional initializer of get_variable ("name", shape, dtype, init)
                continue
            if reads(arg.value, name):
                return True
    return False


def _range_loop(statement) -> tuple[str, cst.Call] | None:
    """(loop variable, `range(...)` call) of a plain `for name in range(...)` loop."""
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
    return statement.target.value, iterator


def value_uses(module: cst.Module, functions: set[str]) -> dict[str, str]:
    """Functions referenced other than by calling them -> how (for the finding).

    A converted function no longer exists under its name: calls are reported as
    findings naming the layer, but a function passed around as a value (`fn = dense`,
    `map(dense, ...)`, a decorator, an `__all__` export other modules import) would
    simply break."""
    if not functions:
        return {}
    called = set()
    defined = set()
    uses: dict[str, str] = {}
    for node in find(module, cst.Call, cst.FunctionDef, cst.Decorator):
        if isinstance(node, cst.Call):
            called.add(id(node.func))
        elif isinstance(node, cst.FunctionDef):
            defined.add(id(node.name))
        elif isinstance(node.decorator, cst.Name) and node.decorator.value in functions:
            uses.setdefault(node.decorator.value, "as a decorator")
    for node in find(module, cst.Import, cst.ImportFrom, cst.Attribute, cst.Arg):
        # Names in import statements, attribute names and keywords are not uses.
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            defined.update(id(name) for name in find(node, cst.Name))
        elif isinstance(node, cst.Attribute):
            defined.add(id(node.attr))
        elif node.keyword is not None:
            defined.add(id(node.keyword))
    for name in find(module, cst.Name):
        if name.value in functions and id(name) not in called and id(name) not in defined:
            uses.setdefault(name.value, "passed or stored as a value")
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for assign in find(statement, cst.Assign):
            targets = [t.target for t in assign.targets]
            if any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets):
                for string in find(assign.value, cst.SimpleString):
                    value = string.evaluated_value
                    if isinstance(value, str) and value in functions:
                        uses.setdefault(value, "exported in `__all__`")
    return uses
