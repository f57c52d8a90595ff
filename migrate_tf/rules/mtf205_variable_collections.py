"""MTF205 variable-collections: TF1 variable collections that select a layer's weights."""

from __future__ import annotations

import libcst as cst

from migrate_tf.rules.base import Rule
from migrate_tf.shared.codegen import code_of, string_literal
from migrate_tf.shared.initializers import Refusal, bind_arguments
from migrate_tf.shared.layers import layer_base_kind, method, self_name
from migrate_tf.shared.names import find_param, is_attribute_of, is_name, is_string
from migrate_tf.shared.walk import find

#: Collection keys and what they hold, as the layer property that holds the same.
COLLECTION_KEYS = {
    "TRAINABLE_VARIABLES": "trainable_weights",
    "GLOBAL_VARIABLES": "weights",
}
COLLECTION_STRINGS = {"trainable_variables": "trainable_weights", "variables": "weights"}
#: Functions that read a variable collection: canonical name -> (parameters, property
#: or None when the key argument decides).
READERS = {
    "tf.get_collection": (("key", "scope"), None),
    "tf.get_collection_ref": (("key",), None),
    "tf.trainable_variables": (("scope",), "trainable_weights"),
    "tf.global_variables": (("scope",), "weights"),
}
#: Calls that turn a TF1 program into graph code, where collections still work.
GRAPH_MODE = ("tf.disable_eager_execution", "tf.disable_v2_behavior")
#: TF1 ways to make variables that a collection holds and no Keras layer lists.
TF1_VARIABLE_MAKERS = ("tf.get_variable", "tf.Variable", "tf.variable_scope", "tf.Module")


class VariableCollections(Rule):
    """
    ## What it does
    Replaces a TF1 query of the variable collections that selects the variables of
    one Keras layer by its scope, `tf.compat.v1.get_collection(
    tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES, scope="encoder")`,
    `tf.compat.v1.trainable_variables(scope="encoder")` (or `GLOBAL_VARIABLES`,
    `global_variables(...)`), by the layer's own list: `encoder.trainable_weights`
    (`encoder.weights` for all variables), when the code creates that layer in view
    (`encoder = Encoder(name="encoder")` in the same function, `self.encoder =
    Encoder(...)` in the same class, or at module level; a layer class whose `name`
    defaults to the scope counts too). A scope naming a part of the layer
    (`"encoder/dense"`) keeps the weights whose path starts with it:
    `[v for v in encoder.trainable_weights if v.path.startswith("encoder/dense/")]`.
    Every other query of a variable collection gets a finding that names the
    replacement.

    A file that turns on graph mode (`tf.compat.v1.disable_eager_execution()`,
    `disable_v2_behavior()`) is converted the same way when all its variables come
    from Keras layers; when it also makes TF1 variables (`get_variable`,
    `variable_scope`, `tf.Variable`, `tf.layers`), which a scope's collection holds
    and no layer lists, each query gets a finding instead.

    ## Why is this bad?
    TF1 collections are a graph-mode feature. Measured on TensorFlow 2.21 (Keras 2
    and Keras 3 alike): under eager execution, the default in TF2,
    `get_collection(TRAINABLE_VARIABLES, scope=...)`, `trainable_variables()` and
    `global_variables()` return `[]`, silently: an optimizer given that list trains
    nothing, a saver saves nothing. Code that selected a converted layer's variables
    by scope stops working once the model runs eagerly. In graph mode the queries
    still work, but not reliably for Keras 3 layers: measured, a Keras 3 layer
    `encoder` whose `build` made a weight and whose sublayers were built on its
    call had its sublayers' variables named `encoder_1/inner/w:0` in the graph
    (the name scope was opened twice) while their Keras path is `encoder/inner/w`,
    so `global_variables(scope="encoder/inner")` missed them; the layer's own list
    is right in both modes.

    ## Example
    ```python
    generator = Generator(name="generator")
    ...
    gen_vars = tf.compat.v1.get_collection(
        tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES, scope="generator"
    )
    ```

    ## Use instead
    ```python
    generator = Generator(name="generator")
    ...
    gen_vars = generator.trainable_weights
    ```

    ## Fix safety
    The list holds the same variables, those of the layer named after the scope. It
    is a list of Keras variables: their `.name` is the short name (`kernel`); the
    TF1 name without `:0` is their `.path` (`generator/dense/kernel`). The order is
    the layer's (its own weights, then its sublayers'), not the order of creation.
    A TF1 scope also matched other scopes that merely start with the same letters
    (`"generator"` matched `"generator_1/..."`); the layer's list does not.

    ## When it refuses
    The call is left as it is, with a finding that names the replacement, when the
    scope is not a literal string, when there is no scope (all variables of the
    program: use the model's `trainable_weights`), when no layer created in view is
    named after the scope (or several are), when the collection key is computed, or,
    in a file that turns on graph mode, when the file
    also makes TF1 variables (the finding says it works only in graph mode and
    names the replacement for when they are a layer's). Another collection
    (`UPDATE_OPS`, `LOSSES`, ...) is not a variable list and is left alone without
    a finding.

    ## References
    - `tf.compat.v1.get_collection`: "not compatible with eager execution".
    - Keras 3 `Layer.trainable_weights`, `Layer.weights`, `Variable.path`.
    """

    CODE = "MTF205"
    NAME = "variable-collections"
    SUMMARY = (
        "TF1 variable collections are empty under eager execution; select a layer's "
        "variables with `layer.trainable_weights` / `layer.weights`."
    )
    TRIGGERS = ("get_collection", "get_collection_ref", "trainable_variables", "global_variables")

    def __init__(self, context) -> None:
        super().__init__(context)
        #: the call that turns graph mode on, when the file has one
        self._graph_mode: cst.Call | None = None
        #: in graph mode: a TF1 call of the file that makes variables outside layers
        self._tf1_variables: str | None = None
        self._local_layers: dict[str, cst.ClassDef] = {}
        #: per open scope (module, class, function): attribute or variable -> layer name
        self._scopes: list[dict[str, str | None]] = []
        #: per open class: whether it is the scope whose entries are `self.` attributes
        self._self_names: list[str | None] = []

    # Traversal -------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        index = self.context.imports
        calls = find(node, cst.Call)
        self._graph_mode = next((c for c in calls if index.is_api(c.func, *GRAPH_MODE)), None)
        if self._graph_mode is not None:
            for call in calls:
                canonical = index.canonical(call.func) or ""
                if index.is_api(call.func, *TF1_VARIABLE_MAKERS) or canonical.startswith(
                    ("tf.layers.", "tf.compat.v1.layers.", "tf.contrib.")
                ):
                    self._tf1_variables = code_of(call.func)
                    break
        local: dict[str, bool] = {}
        for statement in node.body:
            if isinstance(statement, cst.ClassDef) and layer_base_kind(statement, index, local):
                local[statement.name.value] = True
                self._local_layers[statement.name.value] = statement
        self._scopes.append(self._bindings(node.body, None))
        self._self_names.append(None)
        return True

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        bindings: dict[str, str | None] = {}
        for function in find(node, cst.FunctionDef):
            self_param = self_name(function)
            if self_param is None:
                continue
            for key, value in self._bindings(function.body.body, self_param).items():
                bindings[key] = value if key not in bindings else None  # assigned twice
        self._scopes.append(bindings)
        self._self_names.append("<class>")
        return True

    def leave_ClassDef(self, original_node, updated_node):
        self._scopes.pop()
        self._self_names.pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._scopes.append(self._bindings(node.body.body, None))
        in_class = self._self_names and self._self_names[-1] == "<class>"
        self._self_names.append(self_name(node) if in_class else None)
        return True

    def leave_FunctionDef(self, original_node, updated_node):
        self._scopes.pop()
        self._self_names.pop()
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        index = self.context.imports
        reader = next(
            (name for name in READERS if index.is_api(original_node.func, name)), None
        )
        if reader is None:
            return updated_node
        try:
            replacement = self._replacement(original_node, reader)
            if replacement is not None and self._graph_mode is not None and self._tf1_variables:
                raise Refusal(
                    f"the file also makes TF1 variables (`{self._tf1_variables}`), which a "
                    f"scope may hold and the layer does not list; once they are the layer's, "
                    f"use `{replacement}`"
                )
        except Refusal as refusal:
            self.report(original_node, f"{self._problem(original_node)}; not converted: {refusal}")
            return updated_node
        if replacement is None:
            return updated_node
        self.changed = True
        return cst.parse_expression(replacement)

    # Deciding --------------------------------------------------------------------

    def _problem(self, call: cst.Call) -> str:
        """What is wrong with the query, in this file's mode."""
        name = f"`{code_of(call.func)}(...)`"
        if self._graph_mode is None:
            return f"{name} returns [] under eager execution (TensorFlow 2, Keras 3)"
        lines = self.context.line_range(self._graph_mode)
        where = f" (line {lines[0]})" if lines else ""
        return (
            f"{name} works only in graph mode, which this file turns on with "
            f"`{code_of(self._graph_mode.func)}()`{where}; under eager execution "
            "(TensorFlow 2's default) it returns []"
        )

    def _replacement(self, call: cst.Call, reader: str) -> str | None:
        parameters, prop = READERS[reader]
        arguments = bind_arguments(call, parameters)
        if prop is None:
            prop = self._property_of_key(arguments.get("key"))
            if prop is None:
                return None  # another collection: not a variable list
        if reader == "tf.get_collection_ref":
            raise Refusal(
                f"the returned list is modified in place in TF1; use `<layer>.{prop}` "
                "of the layer whose variables it should hold"
            )
        scope = arguments.get("scope")
        if scope is None or is_name(scope, "None"):
            raise Refusal(
                f"it selects every variable of the program; use `model.{prop}` of the "
                "model that holds them"
            )
        if not is_string(scope):
            raise Refusal(
                f"the scope `{code_of(scope)}` is computed; use `<layer>.{prop}` of the "
                "layer named after it"
            )
        wanted = scope.evaluated_value.rstrip("/")
        head, _, rest = wanted.partition("/")
        holder = self._layer_named(head)
        if holder is None:
            raise Refusal(
                f"no layer named {string_literal(head)} is created in view; use "
                f"`<layer>.{prop}` of the layer named {string_literal(head)}"
            )
        if not rest:
            return f"{holder}.{prop}"
        prefix = string_literal(wanted + "/")
        return f"[v for v in {holder}.{prop} if v.path.startswith({prefix})]"

    def _property_of_key(self, key: cst.BaseExpression | None) -> str | None:
        if key is None:
            return None
        if is_string(key):
            return COLLECTION_STRINGS.get(key.evaluated_value)
        canonical = self.context.imports.canonical(key) or ""
        head, _, member = canonical.rpartition(".")
        if head.endswith("GraphKeys"):
            if member not in COLLECTION_KEYS:
                return None
            return COLLECTION_KEYS[member]
        raise Refusal(f"the collection `{code_of(key)}` cannot be decided statically")

    def _layer_named(self, name: str) -> str | None:
        """How the code in view refers to the one layer named ``name``."""
        for depth in range(len(self._scopes) - 1, -1, -1):
            scope = self._scopes[depth]
            matches = [key for key, value in scope.items() if value == name]
            if len(matches) > 1:
                raise Refusal(f"several layers are named {string_literal(name)}")
            if matches:
                key = matches[0]
                if key.startswith("self."):
                    self_param = self._self_names[-1] if self._self_names else None
                    if self_param is None or self._self_names[depth] != "<class>":
                        continue
                    return f"{self_param}.{key[len('self.'):]}"
                return key
        return None

    def _bindings(self, statements, self_param: str | None) -> dict[str, str | None]:
        """`x = Layer(name="n")` (or `self.x = ...` when ``self_param``) statements at
        the top level of ``statements``: name -> layer name (None when unknown)."""
        found: dict[str, str | None] = {}
        for statement in statements:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
                    continue
                target = small.targets[0].target
                if self_param is not None:
                    if not is_attribute_of(target, self_param):
                        continue
                    key = f"self.{target.attr.value}"
                elif isinstance(target, cst.Name):
                    key = target.value
                else:
                    continue
                layer_name = self._layer_name(small.value)
                if key in found:
                    found[key] = None
                elif layer_name is not None:
                    found[key] = layer_name
        return found

    def _layer_name(self, value: cst.BaseExpression) -> str | None:
        """The name of the layer a constructor call makes, when the code says it."""
        if not isinstance(value, cst.Call):
            return None
        func = value.func
        local = self._local_layers.get(func.value) if isinstance(func, cst.Name) else None
        canonical = self.context.imports.canonical(func) or ""
        if local is None and not canonical.startswith(("keras.layers.", "keras.models.", "keras.Model", "keras.Sequential")):
            return None
        for arg in value.args:
            if arg.keyword is not None and arg.keyword.value == "name":
                return arg.value.evaluated_value if is_string(arg.value) else None
            if arg.star:
                return None
        if local is not None:
            init = method(local, "__init__")
            param = find_param(init, "name") if init is not None else None
            if param is not None and param.default is not None and is_string(param.default):
                return param.default.evaluated_value
        return None
