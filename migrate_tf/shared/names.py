"""What names a piece of code reads, and small syntactic predicates.

Shared by the rules and the engine: a name in `x.attr` or `f(key=...)` position is
not a reference, and a docstring is not a statement that does anything.
"""

from __future__ import annotations

import libcst as cst


class _NameReader(cst.CSTVisitor):
    """Collects the variable names a tree reads: not the `attr` of `x.attr`, not the
    keyword of `f(key=...)`, not a lambda's own parameters; optionally not imports."""

    def __init__(self, skip_imports: bool = False) -> None:
        super().__init__()
        self.found: set[str] = set()
        self.skip_imports = skip_imports

    def visit_Import(self, node: cst.Import) -> bool:
        return not self.skip_imports

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return not self.skip_imports

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        params = {p.name.value for p in node.params.params}
        self.found.update(free_names(node.body) - params)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.found.add(node.value)


def free_names(node: cst.CSTNode, *, skip_imports: bool = False) -> set[str]:
    """Variable names ``node`` reads (not attribute or keyword names)."""
    reader = _NameReader(skip_imports)
    node.visit(reader)
    return reader.found


def reads(node: cst.CSTNode, name: str) -> bool:
    """Whether ``node`` refers to the variable ``name``."""
    return name in free_names(node)


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
