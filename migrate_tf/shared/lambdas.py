"""`keras.layers.Lambda` layers and the functions they wrap.

A module-level function passed to `keras.layers.Lambda(...)` (and used nowhere else)
is MTF203's to turn into a layer class; MTF101, which turns TF1 scoped functions
into layers, leaves it alone, since replacing the function by a class would break
the `Lambda(function)` that names it.
"""

from __future__ import annotations

import libcst as cst

from migrate_tf.shared.imports import ImportIndex
from migrate_tf.shared.walk import find


def is_lambda_layer(call: cst.Call, index: ImportIndex) -> bool:
    """Whether ``call`` constructs a `keras.layers.Lambda` (any Keras spelling)."""
    return index.canonical(call.func) == "keras.layers.Lambda"


def wrapped_function(call: cst.Call) -> cst.BaseExpression | None:
    """The function a `Lambda(...)` call wraps: its first positional argument, or
    `function=`."""
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            return arg.value
        if arg.keyword is not None and arg.keyword.value == "function":
            return arg.value
    return None


def lambda_only_functions(module: cst.Module, index: ImportIndex) -> dict[str, list[cst.Call]]:
    """Module-level functions whose every use is to be wrapped by a `Lambda`: name ->
    the `Lambda(...)` calls."""
    wrapped, other_uses = lambda_wrapped_functions(module, index)
    return {name: calls for name, calls in wrapped.items() if name not in other_uses}


def lambda_wrapped_functions(
    module: cst.Module, index: ImportIndex
) -> tuple[dict[str, list[cst.Call]], set[str]]:
    """Module-level functions a `Lambda` wraps (name -> the `Lambda(...)` calls), and
    those of them the module also uses otherwise."""
    functions = {
        statement.name.value for statement in module.body if isinstance(statement, cst.FunctionDef)
    }
    if not functions:
        return {}, set()
    wrapped: dict[str, list[cst.Call]] = {}
    wrapping_ids: set[int] = set()
    for call in find(module, cst.Call):
        if not is_lambda_layer(call, index):
            continue
        function = wrapped_function(call)
        if isinstance(function, cst.Name) and function.value in functions:
            wrapped.setdefault(function.value, []).append(call)
            wrapping_ids.add(id(function))
    if not wrapped:
        return {}, set()
    other_uses: set[str] = set()

    class Uses(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)
            return False

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            node.body.visit(self)
            for decorator in node.decorators:
                decorator.visit(self)
            for param in (*node.params.params, *node.params.kwonly_params):
                if param.default is not None:
                    param.default.visit(self)
            return False

        def visit_Name(self, node: cst.Name) -> None:
            if node.value in wrapped and id(node) not in wrapping_ids:
                other_uses.add(node.value)

    module.visit(Uses())
    return wrapped, other_uses
