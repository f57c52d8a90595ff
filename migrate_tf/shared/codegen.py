"""Writing generated code that looks hand-written.

Generated statements are rendered as text with keyword arguments, one per line when
a call does not fit the line, and parsed back into LibCST nodes. Parsing keeps the
relative indentation, so the same text fits any block it is inserted into.
"""

from __future__ import annotations

import functools

import libcst as cst

LINE_LENGTH = 88

_EMPTY_MODULE = cst.Module(body=[])


def code_of(node: cst.CSTNode) -> str:
    """The source of an expression node, as one logical line where possible."""
    dotted = _plain_dotted_name(node)
    if dotted is not None:
        return dotted
    return _EMPTY_MODULE.code_for_node(node)


def _plain_dotted_name(node: cst.CSTNode) -> str | None:
    """The source of `a.b.c` written without parentheses or spaces (most of what
    ``code_of`` is asked for), without LibCST's code generation; None otherwise."""
    parts = []
    while isinstance(node, cst.Attribute):
        dot = node.dot
        if (
            node.lpar
            or node.rpar
            or node.attr.lpar
            or node.attr.rpar
            or not isinstance(dot, cst.Dot)
            or not _is_no_space(dot.whitespace_before)
            or not _is_no_space(dot.whitespace_after)
        ):
            return None
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name) or node.lpar or node.rpar:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _is_no_space(whitespace) -> bool:
    return isinstance(whitespace, cst.SimpleWhitespace) and whitespace.value == ""


def render_call(
    prefix: str, func: str, arguments: list[tuple[str | None, str]], *, indent: int
) -> str:
    """``prefix + func(k=v, ...)`` on one line, or black-style one argument per line.

    ``indent`` is the column the statement starts at, so the line-length decision
    matches where the code will live.
    """
    rendered = [value if key is None else f"{key}={value}" for key, value in arguments]
    return _bracketed(f"{prefix}{func}(", rendered, ")", indent)


def render_signature(name: str, parameters: list[str], *, indent: int) -> str:
    """``def name(parameters):`` laid out as black lays it out."""
    return _bracketed(f"def {name}(", parameters, "):", indent)


def _bracketed(opening: str, items: list[str], closing: str, indent: int) -> str:
    """Black's three layouts: everything on one line; the items together on one
    indented line; one item per line with a trailing comma."""
    joined = ", ".join(items)
    one_line = f"{opening}{joined}{closing}"
    if "\n" not in one_line and indent + len(one_line) <= LINE_LENGTH:
        return one_line
    if "\n" not in joined and indent + 4 + len(joined) <= LINE_LENGTH:
        return f"{opening}\n    {joined}\n{closing}"
    body = "".join(f"    {item},\n" for item in items)
    return f"{opening}\n{body}{closing}"


@functools.lru_cache(maxsize=4096)
def expression(text: str) -> cst.BaseExpression:
    """``text`` parsed as an expression. Nodes never change, so a parse is shared by
    every place that needs the same small expression (`self.units`, `x_shape`)."""
    return cst.parse_expression(text)


def parse_statements(text: str) -> list[cst.BaseStatement]:
    """Parse generated code (written at column 0) into statements (a new list)."""
    return list(_parsed_statements(text))


@functools.lru_cache(maxsize=4096)
def _parsed_statements(text: str) -> tuple[cst.BaseStatement, ...]:
    """Generated code recurs (`self.units = units`, a weight created the same way in
    several layers); nodes never change, so one parse serves every place."""
    return tuple(cst.parse_module(text).body)


def string_literal(value: str) -> str:
    """A double-quoted Python string literal, as black would write it."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def keras_reference(context) -> str:
    """The name generated code uses for Keras, importing it once when needed.

    A name the file already binds to Keras is reused; otherwise the configured
    import style (``import keras`` or ``from tensorflow import keras``) is added.
    """
    existing = context.imports.keras_module_name()
    if existing is not None:
        return existing
    if context.imports.is_bound("keras"):
        # `keras` means something else here (e.g. `import tf_keras as keras`); it
        # is still this file's Keras, and shadowing it would be worse.
        return "keras"
    if context.settings.keras_import == "tensorflow":
        context.require_import("tensorflow", "keras")
    else:
        context.require_import("keras")
    return "keras"
