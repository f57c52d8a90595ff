"""Read-only traversal of LibCST trees, without LibCST's visitor machinery.

LibCST's `node.visit(visitor)` (which `libcst.matchers.findall` uses) rebuilds every
node it passes, even for a visitor that changes nothing: analysing a function that
way costs as much as transforming it. Rules ask many small questions of the same
subtrees ("which calls are in this statement?"), so they walk the dataclass fields
directly instead. Whitespace and punctuation are never descended into.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import types
from typing import Callable, Iterator, TypeVar

import libcst as cst

T = TypeVar("T", bound=cst.CSTNode)
N = TypeVar("N", bound=cst.CSTNode)
R = TypeVar("R")

#: Fields that only hold whitespace, comments or punctuation (besides every field
#: whose name starts with ``whitespace``, see :func:`_fields`).
_SKIPPED_FIELDS = frozenset(
    {
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "first_colon",
        "second_colon",
        "lpar",
        "rpar",
        "leading_lines",
        "lines_after_decorators",
        "trailing_whitespace",
        "header",
        "footer",
        "comma",
        "semicolon",
        "newline",
        "equal",
        "colon",
        "dot",
        "star_tok",
        "leading_whitespace",
    }
)

#: Node classes whose dataclass declares fields in another order than the source
#: has them: the source order (LibCST's visitors follow it too), so that `find`
#: lists nodes as they stand in the file (decorators before the function, `a` before
#: the test in `a if test else b`, a keyword before its value). Fields not named
#: here keep the dataclass order, after these.
_SOURCE_ORDER = {
    "Arg": ("keyword", "value"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "CompFor": ("asynchronous", "target", "iter", "ifs", "inner_for_in"),
    "ExceptHandler": ("type", "name", "body"),
    "ExceptStarHandler": ("type", "name", "body"),
    "For": ("asynchronous", "target", "iter", "body", "orelse"),
    "FormattedString": ("start", "parts", "end"),
    "FunctionDef": (
        "decorators", "asynchronous", "name", "type_parameters", "params", "returns", "body",
    ),
    "IfExp": ("body", "test", "orelse"),
    "ImportFrom": ("relative", "module", "names"),
    "LazyImportFrom": ("relative", "module", "names"),
    "Index": ("star", "value"),
    "Match": ("subject", "indent", "cases"),
    "MatchCase": ("pattern", "guard", "body"),
    "Param": ("star", "name", "annotation", "default"),
    "Parameters": (
        "posonly_params", "posonly_ind", "params", "star_arg", "kwonly_params", "star_kwarg",
    ),
    "TemplatedString": ("start", "parts", "end"),
    "TypeAlias": ("name", "type_parameters", "value"),
    "With": ("asynchronous", "items", "body"),
}

_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    fields = _FIELDS.get(cls)
    if fields is None:
        declared = [
            field.name
            for field in dataclasses.fields(cls)
            if field.name not in _SKIPPED_FIELDS and not field.name.startswith("whitespace")
        ]
        first = [name for name in _SOURCE_ORDER.get(cls.__name__, ()) if name in declared]
        fields = tuple(first + [name for name in declared if name not in first])
        _FIELDS[cls] = fields
    return fields


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node's direct children that carry code (not whitespace)."""
    return iter(_child_nodes(node))


def _child_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    function = _CHILDREN.get(type(node))
    if function is None:
        function = _child_function(type(node))
    return function(node)


#: Node class -> the function listing a node's children that carry code.
#:
#: The function is made for the class: one attribute read and one kind lookup per
#: field, unrolled (a loop over an ``attrgetter`` tuple built a tuple and ran a loop
#: per node, and every analysis of a TF file lists each node two or three times). It
#: is the compiled template of its number of fields (:func:`_template`) with the
#: class's field names put in the template's names: compiling a function per class
#: cost about 0.1 ms each, 7 ms for the 60 classes of one file, which a one-file
#: editor action would pay. A sequence is taken whole: LibCST's sequence fields hold
#: nodes only (their field types). Plain dictionaries: CPython specializes lookups in
#: exact dicts only (a dict subclass with ``__missing__`` was half the cost).
_CHILDREN: dict[type, Callable[[cst.CSTNode], list[cst.CSTNode]]] = {}
_TEMPLATES: dict[int, types.CodeType] = {}


def _child_function(cls: type) -> Callable[[cst.CSTNode], list[cst.CSTNode]]:
    fields = _fields(cls)
    template = _TEMPLATES.get(len(fields))
    if template is None:
        template = _TEMPLATES[len(fields)] = _template(len(fields))
    names = {f"field_{index}": name for index, name in enumerate(fields)}
    code = template.replace(co_names=tuple(names.get(name, name) for name in template.co_names))
    function = _CHILDREN[cls] = types.FunctionType(code, _TEMPLATE_GLOBALS)
    return function


def _template(count: int) -> types.CodeType:
    """The code of ``child_nodes(node)`` for a class of ``count`` fields, named
    ``field_0``, ``field_1``... (only attribute names: no global is called so)."""
    lines = ["def child_nodes(node):", "    below = []"]
    for index in range(count):
        lines += [
            f"    value = node.field_{index}",
            "    kind = kinds_get(type(value))",
            "    if kind is None:",
            "        kind = kind_of(type(value))",
            "    if kind is NODE:",
            "        below.append(value)",
            "    elif kind is SEQUENCE:",
            "        below.extend(value)",
        ]
    lines.append("    return below")
    namespace: dict = {}
    exec("\n".join(lines), namespace)  # noqa: S102 - fixed text, no input in it
    return namespace["child_nodes"].__code__


_NODE, _SEQUENCE, _OTHER = "node", "sequence", "other"

#: Class of a field's value -> node, sequence or other. A lookup by exact class:
#: `isinstance(value, cst.CSTNode)` is ABCMeta's Python-level check for every node.
_VALUE_KINDS: dict[type, str] = {}


def _kind_of(cls: type) -> str:
    if issubclass(cls, cst.CSTNode):
        kind = _NODE
    elif issubclass(cls, (list, tuple)):
        kind = _SEQUENCE
    else:
        kind = _OTHER
    _VALUE_KINDS[cls] = kind
    return kind


_TEMPLATE_GLOBALS = {
    "__builtins__": __builtins__,
    "kinds_get": _VALUE_KINDS.get,
    "kind_of": _kind_of,
    "NODE": _NODE,
    "SEQUENCE": _SEQUENCE,
}


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node`` and everything below it, in source order, without caching: for a
    tree asked about once (generated code), which :func:`descendants` would only
    register."""
    get = _CHILDREN.get
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        below = (get(type(current)) or _child_function(type(current)))(current)
        below.reverse()
        stack.extend(below)


#: Trees never change, so a tree's nodes are listed once and asked many times. A
#: listing is in preorder, where every subtree is a contiguous run: listing a node
#: registers each node below it with its run, so asking about any part of a tree
#: already listed (a statement of a function, a call of a statement) is a slice.
#: Every tree listed for the current file is appended to ``_NODES``; ``_ENDS[i]`` is
#: where the subtree of ``_NODES[i]`` ends (exclusive); ``_POSITIONS`` maps the id
#: of a listed node (kept alive by ``_NODES``, so the id stays its own) to its
#: latest position. Ints only: a tuple per node made the garbage collector's visits
#: the main cost of listing. Cleared after each file (see :func:`clear_cache`) and
#: whenever it grows past a bound.
_NODES: list[cst.CSTNode] = []
_ENDS: list[int] = []
_POSITIONS: dict[int, int] = {}
#: (id of node, types) -> (node, what :func:`find` answered): rules ask the same
#: question of the same subtree many times.
_FOUND: dict[tuple[int, tuple[type, ...]], tuple[cst.CSTNode, list]] = {}
_CACHE_LIMIT = 2_000_000


def _list(root: cst.CSTNode) -> int:
    """Append ``root`` and everything below it to ``_NODES`` in preorder, with where
    each subtree ends; the root's position."""
    nodes, ends = _NODES, _ENDS
    get = _CHILDREN.get
    start = len(nodes)
    stack: list = [root]
    while stack:
        current = stack.pop()
        if type(current) is int:  # the subtree of the node at this position is done
            ends[current] = len(nodes)
            continue
        position = len(nodes)
        nodes.append(current)
        ends.append(position + 1)
        below = (get(type(current)) or _child_function(type(current)))(current)
        if below:
            stack.append(position)
            below.reverse()
            stack.extend(below)
    _POSITIONS.update(zip(map(id, itertools.islice(nodes, start, None)), range(start, len(nodes))))
    return start


def descendants(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node`` and everything below it, in source order (cached per tree; a new
    list each time)."""
    position = _position(node)
    return _NODES[position : _ENDS[position]]


def _position(node: cst.CSTNode) -> int:
    """Where ``node`` is in ``_NODES`` (listing its tree first if needed)."""
    position = _POSITIONS.get(id(node))
    if position is None or _NODES[position] is not node:
        if len(_NODES) > _CACHE_LIMIT:
            clear_cache()
        position = _list(node)
    return position


#: Caches of answers about one file's trees (see :func:`answers_per_file`).
_PER_FILE: list[dict] = []


def clear_cache() -> None:
    """Forget cached subtrees and answers (the engine calls this after each file)."""
    _NODES.clear()
    _ENDS.clear()
    _POSITIONS.clear()
    _FOUND.clear()
    for cache in _PER_FILE:
        cache.clear()


def answers_per_file(function: Callable[[N], R]) -> Callable[[N], R]:
    """``function(node)`` computed once per node until the file is done (its answer
    must not be changed by callers: return frozensets and tuples)."""
    cache: dict[int, tuple[N, R]] = {}
    _PER_FILE.append(cache)

    @functools.wraps(function)
    def cached(node: N) -> R:
        entry = cache.get(id(node))
        if entry is None or entry[0] is not node:
            if len(cache) >= _CACHE_LIMIT:  # a caller that never clears (not the engine)
                cache.clear()
            entry = (node, function(node))
            cache[id(node)] = entry
        return entry[1]

    return cached


def find(node: cst.CSTNode, *types: type[T]) -> list[T]:
    """Every node of the given types in ``node`` (``node`` included), in source order."""
    key = (id(node), types)
    entry = _FOUND.get(key)
    if entry is None or entry[0] is not node:
        matches = _matching_classes(types)
        found = [item for item in descendants(node) if matches[type(item)]]
        if len(_FOUND) >= _CACHE_LIMIT:
            _FOUND.clear()
        _FOUND[key] = entry = (node, found)
    return list(entry[1])  # a copy: callers may change their list


def find_once(node: cst.CSTNode, *types: type[T]) -> list[T]:
    """:func:`find` for a tree asked about once (see :func:`walk`)."""
    matches = _matching_classes(types)
    return [item for item in walk(node) if matches[type(item)]]


def contains(node: cst.CSTNode, *types: type[cst.CSTNode]) -> bool:
    matches = _matching_classes(types)
    return any(matches[type(item)] for item in descendants(node))


class _Subclasses(dict):
    """Node class -> whether it is one of ``types`` (or a subclass): `isinstance` on
    LibCST's abstract classes runs ABCMeta's Python-level check for every node that
    is not of the exact class, a dictionary lookup does not."""

    def __init__(self, types: tuple[type, ...]) -> None:
        super().__init__()
        self.types = types

    def __missing__(self, cls: type) -> bool:
        self[cls] = answer = issubclass(cls, self.types)
        return answer


_SUBCLASSES: dict[tuple[type, ...], _Subclasses] = {}


def _matching_classes(types: tuple[type, ...]) -> _Subclasses:
    matches = _SUBCLASSES.get(types)
    if matches is None:
        matches = _SUBCLASSES[types] = _Subclasses(types)
    return matches


def encloses(node: cst.CSTNode, inner: cst.CSTNode) -> bool:
    """Whether ``inner`` (this very node) is ``node`` or below it."""
    return any(item is inner for item in descendants(node))


def pruned(node: cst.CSTNode, stop: Callable[[cst.CSTNode], bool]) -> Iterator[cst.CSTNode]:
    """``node`` and what is below it in source order, without descending below the
    nodes ``stop`` is true for (they are listed): a scope's own names, not those of
    the functions nested in it. A stopped subtree is a run of the cached listing to
    jump over."""
    position = _position(node)
    end = _ENDS[position]
    nodes, ends = _NODES[position:end], _ENDS[position:end]
    index = 0
    while index < len(nodes):
        current = nodes[index]
        yield current
        if index and stop(current):
            index = ends[index] - position
        else:
            index += 1


#: Node classes whose insides are only whitespace, punctuation and comments: names,
#: literals, operators and the bare statements.
LEAF_NODE_CLASSES: tuple[type, ...] = (
    cst.Name,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.SimpleString,
    cst.Ellipsis,
    cst.FormattedStringText,
    cst.BaseUnaryOp,
    cst.BaseBinaryOp,
    cst.BaseBooleanOp,
    cst.BaseCompOp,
    cst.BaseAugOp,
    cst.ImportStar,
    cst.Pass,
    cst.Break,
    cst.Continue,
)
#: Whitespace, comments and punctuation: what is inside the leaves (and inside each
#: other). LibCST visits them; :func:`walk` does not.
WHITESPACE_AND_PUNCTUATION_CLASSES: tuple[type, ...] = (
    cst.BaseParenthesizableWhitespace,
    cst.TrailingWhitespace,
    cst.EmptyLine,
    cst.Comment,
    cst.Newline,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.Comma,
    cst.Dot,
    cst.Colon,
    cst.AssignEqual,
    cst.Semicolon,
)


def with_subclasses(classes) -> frozenset[type]:
    """``classes`` and all their subclasses: a set of concrete classes, so that
    ``type(node) in`` it replaces isinstance against LibCST's abstract base classes
    (far cheaper, at every node of every file)."""
    found: set[type] = set()
    stack = list(classes)
    while stack:
        cls = stack.pop()
        if cls not in found:
            found.add(cls)
            stack.extend(cls.__subclasses__())
    return frozenset(found)
