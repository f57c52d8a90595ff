"""What names a piece of code reads, and small syntactic predicates.

Shared by the rules and the engine: a name in `x.attr` or `f(key=...)` position is
not a reference, and a docstring is not a statement that does anything.
"""

from __future__ import annotations

import libcst as cst

from migrate_tf.shared.walk import _child_nodes, answers_per_file


def free_names(node: cst.CSTNode, *, skip_imports: bool = False) -> set[str]:
    """Variable names ``node`` reads: not the `attr` of `x.attr`, not the keyword of
    `f(key=...)`, not a lambda's own parameters; optionally not imports."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        kind = _KINDS[type(current)]
        if kind is _NAME:
            found.add(current.value)
        elif kind is _VALUE_ONLY:
            stack.append(current.value)
        elif kind is _LAMBDA:
            params = {param.name.value for param in current.params.params}
            found |= free_names(current.body) - params
        elif skip_imports and kind is _IMPORT:
            continue
        else:
            stack.extend(_child_nodes(current))
    return found


_NAME, _VALUE_ONLY, _LAMBDA, _IMPORT, _OTHER = "name", "value only", "lambda", "import", "other"


class _Kinds(dict):
    """Node class -> how :func:`free_names` treats it. A lookup by exact class, because
    `isinstance` on LibCST's abstract classes is a Python-level call for every miss."""

    def __missing__(self, cls: type) -> str:
        if issubclass(cls, cst.Name):
            kind = _NAME
        elif issubclass(cls, (cst.Attribute, cst.Arg)):
            kind = _VALUE_ONLY
        elif issubclass(cls, cst.Lambda):
            kind = _LAMBDA
        elif issubclass(cls, (cst.Import, cst.ImportFrom)):
            kind = _IMPORT
        else:
            kind = _OTHER
        self[cls] = kind
        return kind


_KINDS = _Kinds()


def reads(node: cst.CSTNode, name: str) -> bool:
    """Whether ``node`` refers to the variable ``name``."""
    return name in _names_read(node)


@answers_per_file
def _names_read(node: cst.CSTNode) -> frozenset[str]:
    # Rules ask whether the same statement reads this name, then that one (each
    # parameter of a function against each of its statements): listed once per file.
    return frozenset(free_names(node))


def is_string(node) -> bool:
    return isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str)


def is_literal(node) -> bool:
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return node.value != "None"
    if isinstance(node, cst.UnaryOperation):
        return is_literal(node.expression)
    if isinstance(node, (cst.Tuple, cst.List)):
        return all(is_literal(element.value) for element in node.elements)
    return False


def is_docstring(statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def keyword_argument(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def find_param(function: cst.FunctionDef, name: str) -> cst.Param | None:
    for param in [*function.params.params, *function.params.kwonly_params]:
        if param.name.value == name:
            return param
    return None


def single_assignment(statement) -> tuple[cst.BaseAssignTargetExpression, cst.BaseExpression] | None:
    """(target, value) of a statement that is exactly `target = value`, else None."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    small = statement.body[0]
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
        return None
    return small.targets[0].target, small.value


def is_name(node, value: str) -> bool:
    """Whether ``node`` is the name ``value`` (`True`, `None`, a variable)."""
    return isinstance(node, cst.Name) and node.value == value


def is_attribute_of(node, base: str | None, attr: str | None = None) -> bool:
    """Whether ``node`` is `base.attr` (`self.w`); any attribute when ``attr`` is None."""
    return (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value == base
        and (attr is None or node.attr.value == attr)
    )
