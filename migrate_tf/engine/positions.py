"""Node positions, as ``libcst.metadata.PositionProvider`` computes them, at a fraction of the cost.

LibCST's provider generates the whole module's code once, recomputing the line and
column after every token (a regular-expression split of each token) and building two
``CodePosition`` objects and a ``CodeRange`` for every node. Rules ask for a handful of
positions (the nodes they report, the statements suppression comments cover), so most
of that work is wasted: it cost about 2.4 times the parse of the same file.

Here the code generation records character offsets only (one addition per token, a
newline scan only for tokens that contain a line break), and a node's ``CodeRange`` is
built from its offsets when it is asked for. The ranges are identical to
``PositionProvider``'s (syntactic positions, same line and column conventions); the
test suite compares the two on every golden file.
"""

from __future__ import annotations

import bisect
import re
from typing import Iterator, Mapping, Optional

import libcst as cst
from libcst.metadata import CodePosition, CodeRange
from libcst._nodes.internal import CodegenState

# Same line-break convention as libcst.metadata.position_provider.
_NEWLINE = re.compile(r"\r\n?|\n")


class _Syntactic:
    """``record_syntactic_position`` as a plain context manager (no generator)."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state, node, start_node, end_node) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exc) -> None:
        computed = self.state.computed
        start_node, end_node = self.start_node, self.end_node
        start = computed[id(start_node)][1] if start_node is not None else self.start
        end = computed[id(end_node)][2] if end_node is not None else self.state.offset
        computed[id(self.node)] = (self.node, start, end)


class _OffsetCodegenState(CodegenState):
    """Code generation that records each node's (start, end) character offsets."""

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.offset = 0
        self.line_starts = [0]
        #: id of a node -> (the node, start, end). Keyed by id: a node's hash is a
        #: Python-level method (``id(self)``), called twice per node otherwise; the
        #: node in the entry keeps it alive, so its id stays its own.
        self.computed: dict[int, tuple[cst.CSTNode, int, int]] = {}
        self._stack: list[int] = []
        self._indent_width = 0

    def increase_indent(self, value: str) -> None:
        super().increase_indent(value)
        self._indent_width += len(value)

    def decrease_indent(self) -> None:
        self._indent_width -= len(self.indent_tokens[-1])
        super().decrease_indent()

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            if "\n" in token or "\r" in token:
                self._newlines(token)
        self.offset += self._indent_width

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            self._newlines(value)
        self.offset += len(value)

    def _newlines(self, value: str) -> None:
        # A line starts after each break of this token, as libcst counts them (per
        # token: "\r" then "\n" in two tokens are two breaks).
        base = self.offset
        self.line_starts.extend(base + match.end() for match in _NEWLINE.finditer(value))

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        key = id(node)
        if key not in self.computed:  # a syntactic position was recorded already
            self.computed[key] = (node, start, self.offset)

    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


class Positions(Mapping[cst.CSTNode, CodeRange]):
    """node -> ``CodeRange`` for every node of a module, built on demand."""

    def __init__(self, module: cst.Module) -> None:
        state = _OffsetCodegenState(module.default_indent, module.default_newline)
        # module._codegen(state), as LibCST's Module._codegen_impl writes it, noting
        # where each of the module's children ends (the tests compare the code with
        # module.code)
        ends = self._top_level_ends = []
        state.before_codegen(module)
        for node in (*module.header, *module.body, *module.footer):
            node._codegen(state)
            ends.append(state.offset)
        if module.has_trailing_newline:
            if not state.tokens:
                state.add_token(state.default_newline)
        else:
            state.pop_trailing_newline()
        state.after_codegen(module)
        #: The module's code, as ``module.code`` prints it (the same tokens).
        self.code = "".join(state.tokens)
        self._offsets = state.computed
        self._line_starts = state.line_starts
        self._ranges: dict[cst.CSTNode, CodeRange] = {}

    def top_level_code(self) -> list[str]:
        """The code of each of the module's header lines, statements and footer lines,
        in order: joined, they are :attr:`code`."""
        code = self.code
        pieces, start = [], 0
        for end in self._top_level_ends:
            end = min(end, len(code))  # a file without a final newline: see pop_trailing_newline
            pieces.append(code[start:end])
            start = end
        if start < len(code):
            pieces.append(code[start:])  # the lone newline of an empty module
        return pieces

    def _position(self, offset: int) -> CodePosition:
        line = bisect.bisect_right(self._line_starts, offset)
        return CodePosition(line, offset - self._line_starts[line - 1])

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self._ranges.get(node)
        if found is None:
            entry = self._offsets.get(id(node))
            if entry is None or entry[0] is not node:
                raise KeyError(node)
            found = self._ranges[node] = CodeRange(
                self._position(entry[1]), self._position(entry[2])
            )
        return found

    def __contains__(self, node: object) -> bool:
        entry = self._offsets.get(id(node))
        return entry is not None and entry[0] is node

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return (entry[0] for entry in self._offsets.values())

    def __len__(self) -> int:
        return len(self._offsets)


__all__ = ["Positions"]
