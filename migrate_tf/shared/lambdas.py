"""`keras.layers.Lambda` layers and the functions they wrap.

A module-level function passed to `keras.layers.Lambda(...)` (and used nowhere else)
is MTF203's to turn into a layer class (or, when only layers' `call` wrap it, into
a function that takes its weights as arguments); MTF101, which turns TF1 scoped
functions into layers, leaves it alone, since replacing the function by a class
would break the `Lambda(function)` that names it.
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
    uses = _OtherUses(wrapped, wrapping_ids)
    module.visit(uses)
    return wrapped, uses.other_uses


class _OtherUses(cst.CSTVisitor):
    """The wrapped functions' names used other than as a Lambda's function.

    A class of its own, not one defined per call: a class is always part of a
    reference cycle, and its methods' closures would keep the module alive until a
    full garbage collection."""

    def __init__(self, wrapped: dict[str, list[cst.Call]], wrapping_ids: set[int]) -> None:
        super().__init__()
        self.wrapped = wrapped
        self.wrapping_ids = wrapping_ids
        self.other_uses: set[str] = set()

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
        if node.value in self.wrapped and id(node) not in self.wrapping_ids:
            self.other_uses.add(node.value)


def get_variable_weight(context, arguments: dict, move) -> list[tuple[str, str]]:
    """`add_weight`'s keyword arguments (as source) for a `tf.get_variable(...)` that
    no `variable_scope` encloses, whose ``arguments`` are bound by parameter name;
    ``move(expression)`` writes an expression as `build` must read it. The weight
    keeps the name given: TF1 named the variable `name:0` (no scope), Keras 3 gives
    it the path `<layer name>/name`. Refusal for what a weight cannot carry."""
    from migrate_tf.shared.codegen import code_of, string_literal
    from migrate_tf.shared.initializers import Refusal, dtype_name, is_none, keras_initializer
    from migrate_tf.shared.scoped_functions.model import UNSUPPORTED_GET_VARIABLE_ARGUMENTS

    index = context.imports
    keras = index.keras_module_name() or "keras"
    for argument in (*UNSUPPORTED_GET_VARIABLE_ARGUMENTS, "use_resource"):
        if argument in arguments and not is_none(arguments[argument]):
            raise Refusal(f"`get_variable(..., {argument}=...)` has no Keras 3 equivalent")
    validate = arguments.get("validate_shape")
    if validate is not None and code_of(validate) != "True":
        raise Refusal("`get_variable(..., validate_shape=False)` has no Keras 3 equivalent")
    regularizer = arguments.get("regularizer")
    if regularizer is not None and not is_none(regularizer):
        raise Refusal(
            "its `regularizer=` put the penalty in a TF1 collection, which the code would "
            "have to read from `layer.losses` instead"
        )
    name = arguments.get("name")
    if name is None or not isinstance(name, cst.SimpleString) or not isinstance(name.evaluated_value, str):
        raise Refusal("a `get_variable` name is computed")
    if "/" in name.evaluated_value or not name.evaluated_value:
        raise Refusal(f"the variable name {code_of(name)} is not a plain name")
    shape = arguments.get("shape")
    if shape is None or is_none(shape):
        raise Refusal(f"`get_variable({code_of(name)})` has no shape")
    result = [("name", string_literal(name.evaluated_value)), ("shape", code_of(move(shape)))]
    dtype = None
    if "dtype" in arguments and not is_none(arguments["dtype"]):
        dtype = dtype_name(arguments["dtype"], index)
    initializer = arguments.get("initializer")
    if initializer is None or is_none(initializer):
        # TF1's default for floats, as Keras 3's; ints and bools start at zero.
        floating = dtype is None or dtype.startswith(("float", "bfloat", "half"))
        initializer_text = '"glorot_uniform"' if floating else '"zeros"'
    else:
        rank = len(shape.elements) if isinstance(shape, (cst.List, cst.Tuple)) else None
        initializer_text = keras_initializer(move(initializer), index, keras, frozenset(), rank)
    result.append(("initializer", initializer_text))
    if dtype is not None and dtype != "float32":
        result.append(("dtype", string_literal(dtype)))
    trainable = arguments.get("trainable")
    if trainable is not None and not is_none(trainable) and code_of(trainable) != "True":
        result.append(("trainable", code_of(move(trainable))))
    constraint = arguments.get("constraint")
    if constraint is not None and not is_none(constraint):
        result.append(("constraint", code_of(move(constraint))))
    if index.keras_module_name() is None and "keras." in initializer_text:
        from migrate_tf.shared.codegen import keras_reference

        keras_reference(context)
    return result
