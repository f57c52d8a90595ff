"""Jupyter notebooks (``.ipynb``): migrated as one module, written back cell by cell.

How a notebook goes through the pipeline
    The code cells are joined into ONE Python module, so that a function defined in
    one cell and called in another is converted consistently, and an import a
    conversion needs is added once (where the engine adds imports in a ``.py`` file:
    beside the TensorFlow import, which in a notebook is in the first cell that has
    imports; with no import at all, at the top of the first code cell). Between two
    cells goes a *boundary marker*, a statement of its own at column 0 (a name no
    code uses, e.g. ``_migrate_tf_cell_3_``). IPython syntax that is not Python
    (``%magic``, ``!shell``, ``x = !cmd``, ``x = %magic``, ``obj?``, ``?obj``,
    ``/f x``, ``,f x``, ``;f x``, and the continuation lines of such a line) becomes a
    *placeholder* statement with the same indentation (``_migrate_tf_magic_7_``), one
    per physical line, so every cell line keeps its line number. A cell whose first
    line is a cell magic (``%%time``, ``%%bash``) is not Python and is left out whole,
    as are markdown and raw cells and cells of another language.

    After the migration the output is cut at the markers. Each marker and each
    placeholder must come back exactly once, on a line of its own, markers in order
    and placeholders in their own cell, and no top-level statement may leave one cell
    and turn up in another (compared as ASTs); otherwise a rule moved code across a
    cell boundary, and the notebook is refused (left byte-identical, with an error)
    rather than guessed at. The placeholders are replaced by their original lines
    (re-indented if a rule moved them into a deeper block), and every changed cell
    must still compile on its own.

JSON
    Only the ``source`` values of changed cells are replaced in the original text; the
    rest of the file (outputs, metadata, cell ids, key order, indentation, escapes,
    number spellings, the final newline or its absence, a BOM) is kept byte for byte,
    whatever tool wrote it. A new value is written in the form the cell had (a list
    of lines or one string), laid out like the list it replaces (or, for an empty
    list, with the indentation of the file), lines that did not change keep their
    exact original spelling, and non-ASCII characters are written literally unless
    the file is pure ASCII (then they are escaped, as ``ensure_ascii`` does). The new
    text must parse to exactly the original document with the new sources, or
    nothing is written. An unchanged notebook is never rewritten.

Positions
    A finding in a notebook is a :class:`NotebookFinding`: ``cell`` (1-based index of
    the cell among ALL cells of the notebook, markdown included, as a notebook shows
    them), ``cell_line`` and ``cell_column`` (1-based, in the cell's source, columns
    in code points) for people: ``nb.ipynb:cell 3:12:5: CODE message``; its ``line``,
    ``column`` and ``range`` are the position of that character in the ``.ipynb``
    file's JSON text (what SARIF viewers and editors showing the file need). A
    :class:`NotebookConversion` has ``cell``/``cell_line`` and JSON ranges, and its
    ``line`` stays the line in the notebook's code taken as one module: the key by
    which conversions are suppressed (``apply --verify``, the editor's single-construct
    action) and the line of the module ``verify`` runs.
"""

from __future__ import annotations

import bisect
import dataclasses
import io
import json
import os
import re
import tokenize
from collections import Counter
from collections.abc import Iterable, Sequence
from json.decoder import scanstring

from migrate_tf.config import Settings
from migrate_tf.rules.base import CodeRange, Conversion, Finding, Rule, triggered_by

SUFFIX = ".ipynb"
BOM = "\ufeff"
PREFIX = "_migrate_tf_"
MOVED_ACROSS_CELLS = (
    "cannot migrate: a rule moved code across a cell boundary ({detail}); "
    "the notebook was left unchanged"
)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_JSON_ESCAPE = re.compile(rb"\\(?:u[0-9a-fA-F]{4}|.)", re.DOTALL)

#: Characters that start an IPython escape at the start of a logical line.
_ESCAPES = ("%", "!", "?", "/", ",", ";")
#: ``x = !ls``, ``a, b = %magic args`` (IPython's assign_from_system/assign_from_magic).
_ASSIGN_MAGIC = re.compile(r"[ \t]*[\w.]+(?:[ \t]*,[ \t]*[\w.]+)*[ \t]*=[ \t]*[%!]")
#: ``obj?``, ``obj.attr??``, ``%magic?``, ``seq[0]?`` (IPython's help_end).
_HELP_END = re.compile(r"[ \t]*%{0,2}(?!\d)[\w*]+(?:\.(?!\d)[\w*]+|\[-?\d+\])*\?{1,2}[ \t]*")


def is_notebook(path: str | os.PathLike | None) -> bool:
    """Whether ``path`` names a Jupyter notebook (by its extension)."""
    return path is not None and os.fspath(path).lower().endswith(SUFFIX)


class NotebookFormatError(ValueError):
    """The file is not a notebook this tool can read (the message says why)."""


# Findings and conversions in a notebook --------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class NotebookFinding(Finding):
    """A finding in a notebook: ``line``/``column``/``range`` in the file's JSON text,
    ``cell``/``cell_line``/``cell_column`` in the cell (see the module docstring).

    Equality, hashing and order are :class:`Finding`'s: JSON positions, which order
    findings as their cells and lines do."""

    cell: int = 0
    cell_line: int = 0
    cell_column: int = 0

    @property
    def location(self) -> str:
        return f"cell {self.cell}:{self.cell_line}:{self.cell_column}"

    def format(self, path: str) -> str:
        return f"{path}:{self.location}: {self.code} {self.message}"

    def to_dict(self) -> dict:
        return {
            "cell": self.cell,
            "line": self.cell_line,
            "column": self.cell_column,
            "code": self.code,
            "message": self.message,
            "json_line": self.line,
            "json_column": self.column,
        }


@dataclasses.dataclass(frozen=True)
class NotebookConversion(Conversion):
    """A conversion in a notebook: ``range``/``name_range`` in the JSON text,
    ``cell``/``cell_line`` where the definition starts; ``line`` is the module line."""

    cell: int = 0
    cell_line: int = 0

    @property
    def location(self) -> str:
        return f"cell {self.cell}:{self.cell_line}"


# Reading the JSON ------------------------------------------------------------------------


@dataclasses.dataclass
class _SourceSpan:
    """Where one cell's ``source`` value is in the JSON text (offsets)."""

    start: int
    end: int
    #: the string literals of a list-form source; None for a single string
    elements: list[tuple[int, int]] | None
    key_start: int


@dataclasses.dataclass
class JsonStyle:
    """How the file's JSON is written, for values that have no neighbour to copy."""

    indent: str | None  # one level of indentation; None: everything on one line
    item_separator: str  # between items of a one-line container
    ensure_ascii: bool  # the file is pure ASCII: escape other characters


def _ws(text: str, index: int) -> int:
    return _WS.match(text, index).end()


def _expect(text: str, index: int, char: str) -> None:
    if index >= len(text) or text[index] != char:
        raise NotebookFormatError(f"unexpected JSON at offset {index}")


def _skip(text: str, index: int) -> int:
    return _DECODER.raw_decode(text, index)[1]


def _object(text: str, index: int, on_value) -> int:
    """Walk the object at ``index``; ``on_value(key, key_start, value_start)`` returns
    the end of the value. Returns the end of the object."""
    _expect(text, index, "{")
    index = _ws(text, index + 1)
    if text.startswith("}", index):
        return index + 1
    while True:
        _expect(text, index, '"')
        key, after = scanstring(text, index + 1)
        colon = _ws(text, after)
        _expect(text, colon, ":")
        end = on_value(key, index, _ws(text, colon + 1))
        index = _ws(text, end)
        if text.startswith(",", index):
            index = _ws(text, index + 1)
        elif text.startswith("}", index):
            return index + 1
        else:
            raise NotebookFormatError(f"unexpected JSON at offset {index}")


def _array(text: str, index: int, on_item) -> int:
    """Walk the array at ``index``; ``on_item(position, start)`` returns the item's end."""
    _expect(text, index, "[")
    index = _ws(text, index + 1)
    if text.startswith("]", index):
        return index + 1
    position = 0
    while True:
        end = on_item(position, index)
        position += 1
        index = _ws(text, end)
        if text.startswith(",", index):
            index = _ws(text, index + 1)
        elif text.startswith("]", index):
            return index + 1
        else:
            raise NotebookFormatError(f"unexpected JSON at offset {index}")


def _locate(text: str) -> tuple[dict[int, _SourceSpan], JsonStyle]:
    """The span of every cell's ``source`` value (by cell index) and the file's style."""
    spans: dict[int, _SourceSpan] = {}
    first_members: list[tuple[int, int, int]] = []  # (key_start, value_start, value_end)

    def source_value(cell_index: int, key_start: int, start: int) -> int:
        if text.startswith('"', start):
            end = scanstring(text, start + 1)[1]
            spans[cell_index] = _SourceSpan(start, end, None, key_start)
            return end
        if text.startswith("[", start):
            elements: list[tuple[int, int]] = []

            def element(_position: int, item: int) -> int:
                if not text.startswith('"', item):
                    raise NotebookFormatError(f"cell {cell_index + 1}: a source line is not a string")
                end = scanstring(text, item + 1)[1]
                elements.append((item, end))
                return end

            end = _array(text, start, element)
            spans[cell_index] = _SourceSpan(start, end, elements, key_start)
            return end
        return _skip(text, start)

    def cell(position: int, start: int) -> int:
        if not text.startswith("{", start):
            return _skip(text, start)

        def member(key: str, key_start: int, value: int) -> int:
            if key == "source":
                return source_value(position, key_start, value)
            return _skip(text, value)

        return _object(text, start, member)

    def top(key: str, key_start: int, value: int) -> int:
        end = _array(text, value, cell) if key == "cells" and text.startswith("[", value) else _skip(text, value)
        if len(first_members) < 2:
            first_members.append((key_start, value, end))
        return end

    opening = _ws(text, 0)
    _object(text, opening, top)

    indent = None
    item_separator = ", "
    if first_members:
        lead = text[opening + 1 : first_members[0][0]]
        if "\n" in lead:
            indent = lead[lead.rindex("\n") + 1 :]
        if len(first_members) == 2:
            between = text[first_members[0][2] : first_members[1][0]]
            if "\n" not in between:
                item_separator = between
    style = JsonStyle(indent=indent, item_separator=item_separator, ensure_ascii=text.isascii())
    return spans, style


def _literal_offsets(text: str, start: int, end: int) -> list[int]:
    """The offset in ``text`` of each character that the string literal
    ``text[start:end]`` (quotes included) decodes to."""
    offsets = []
    index = start + 1
    stop = end - 1
    while index < stop:
        offsets.append(index)
        if text[index] != "\\":
            index += 1
            continue
        if text[index + 1] != "u":
            index += 2
            continue
        unit = int(text[index + 2 : index + 6], 16)
        index += 6
        if 0xD800 <= unit < 0xDC00 and text.startswith("\\u", index):
            low = int(text[index + 2 : index + 6], 16)
            if 0xDC00 <= low < 0xE000:
                index += 6  # a surrogate pair: one character
    return offsets


# Cells and magics ------------------------------------------------------------------------


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split where Python splits them."""
    return _LINE.findall(text)


def _line_body(line: str) -> str:
    return line.rstrip("\r\n")


def _line_body_end(text: str) -> str:
    """``text`` without one final line break."""
    for ending in ("\r\n", "\n", "\r"):
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _looks_like_magic(line: str) -> bool:
    body = _line_body(line)
    stripped = body.lstrip(" \t")
    if not stripped:
        return False
    if stripped.startswith(_ESCAPES):
        return True
    return bool(_ASSIGN_MAGIC.match(body) or _HELP_END.fullmatch(body))


def _starts_statement(prefix: str) -> bool:
    """Whether a line after ``prefix`` (whole lines) starts a logical line: it is not
    inside a string, brackets or a backslash continuation."""
    if not prefix:
        return True
    try:
        for _ in tokenize.generate_tokens(io.StringIO(prefix).readline):
            pass
    except tokenize.TokenError as error:
        return "multi-line" not in str(error.args[0] if error.args else error)
    except (SyntaxError, ValueError):
        return True  # broken code before it: the cell's own check reports it
    return True


@dataclasses.dataclass
class CodeCell:
    """A code cell that takes part in the migration."""

    index: int  # in the notebook's cell list
    source: str  # the cell's source, joined
    #: the source with magics replaced by placeholders, ending with a line break
    python: str
    added_newline: bool
    #: placeholder -> (the original line without its break, the placeholder's indentation)
    magics: dict[str, tuple[str, str]]
    first_line: int = 0  # module line of the cell's first line
    line_count: int = 0

    @property
    def number(self) -> int:
        """1-based, counting every cell of the notebook."""
        return self.index + 1


def _code_cell(index: int, source: str, prefix: str, counter: list[int]) -> CodeCell:
    lines = split_lines(source)
    out = list(lines)
    magics: dict[str, tuple[str, str]] = {}
    position = 0
    while position < len(lines):
        line = lines[position]
        if not (_looks_like_magic(line) and _starts_statement("".join(out[:position]))):
            position += 1
            continue
        indent = _indentation(line)
        while True:
            counter[0] += 1
            name = f"{prefix}magic_{counter[0]}_"
            current = lines[position]
            body = _line_body(current)
            magics[name] = (body, indent)
            out[position] = indent + name + current[len(body) :]
            position += 1
            if not body.endswith("\\") or position >= len(lines):
                break
    python = "".join(out)
    added = bool(python) and not python.endswith(("\n", "\r"))
    if added:
        python += "\n"
    return CodeCell(index=index, source=source, python=python, added_newline=added, magics=magics)


def _joined_source(cell: dict, index: int) -> str:
    source = cell.get("source", "")
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    raise NotebookFormatError(f"cell {index + 1}: 'source' is neither a string nor a list of strings")


def _is_python_notebook(document: dict) -> bool:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return True
    for holder, key in (("kernelspec", "language"), ("language_info", "name")):
        info = metadata.get(holder)
        if isinstance(info, dict) and isinstance(info.get(key), str):
            return info[key].lower() == "python"
    return True


def _is_python_cell(cell: dict) -> bool:
    metadata = cell.get("metadata")
    vscode = metadata.get("vscode") if isinstance(metadata, dict) else None
    language = vscode.get("languageId") if isinstance(vscode, dict) else None
    return not isinstance(language, str) or language == "python"


def _is_cell_magic(source: str) -> bool:
    for line in split_lines(source):
        if line.strip():
            return line.lstrip().startswith("%%")
    return False


# The notebook ------------------------------------------------------------------------------


@dataclasses.dataclass
class Notebook:
    """A parsed notebook, its code as one module, and how to map positions back."""

    text: str  # the JSON text, without a BOM
    bom: bool
    document: dict
    cells: list[CodeCell]
    spans: dict[int, _SourceSpan]
    style: JsonStyle
    prefix: str
    module: str
    _json_lines: list[int] | None = dataclasses.field(default=None, repr=False)
    _offsets: dict[int, list[int]] = dataclasses.field(default_factory=dict, repr=False)
    _cell_lines: dict[int, list[int]] = dataclasses.field(default_factory=dict, repr=False)

    def marker(self, cell: CodeCell) -> str:
        return f"{self.prefix}cell_{cell.index}_"

    # Positions
    def cell_at(self, module_line: int) -> CodeCell | None:
        """The cell a module line belongs to (None for a marker line)."""
        if not self.cells:
            return None
        firsts = [cell.first_line for cell in self.cells]
        position = max(0, bisect.bisect_right(firsts, module_line) - 1)
        cell = self.cells[position]
        if module_line < cell.first_line:
            return None
        return cell

    def _cell_line_starts(self, cell: CodeCell) -> list[int]:
        starts = self._cell_lines.get(cell.index)
        if starts is None:
            starts = [0] + [m.end() for m in _LINE_BREAK.finditer(cell.source)]
            self._cell_lines[cell.index] = starts
        return starts

    def _char_offsets(self, cell: CodeCell) -> list[int]:
        """JSON offset of each character of the cell's source, plus one past the end."""
        offsets = self._offsets.get(cell.index)
        if offsets is None:
            span = self.spans[cell.index]
            literals = span.elements if span.elements is not None else [(span.start, span.end)]
            offsets = []
            for start, end in literals:
                offsets.extend(_literal_offsets(self.text, start, end))
            offsets.append(literals[-1][1] - 1 if literals else span.start + 1)
            self._offsets[cell.index] = offsets
        return offsets

    def _json_position(self, offset: int) -> tuple[int, int]:
        if self._json_lines is None:
            self._json_lines = [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]
        line = bisect.bisect_right(self._json_lines, offset) - 1
        return line + 1, offset - self._json_lines[line] + 1

    def cell_position(self, module_line: int, column: int) -> tuple[CodeCell, int, int] | None:
        """(cell, line in the cell, column) of a 1-based module position."""
        cell = self.cell_at(module_line)
        if cell is None:
            return None
        return cell, module_line - cell.first_line + 1, column

    def json_position(self, cell: CodeCell, line: int, column: int) -> tuple[int, int]:
        """The 1-based (line, column) in the JSON text of a 1-based cell position
        (a column past the end of its line stands for the end of the line)."""
        starts = self._cell_line_starts(cell)
        line = max(1, min(line, len(starts)))
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(cell.source)
        end -= len(cell.source[start:end]) - len(_line_body(cell.source[start:end]))
        index = min(start + max(0, column - 1), end)
        return self._json_position(self._char_offsets(cell)[index])

    def json_range(self, span: CodeRange | None) -> CodeRange | None:
        """A module range as a range of the JSON text (None if it is not in a cell)."""
        if span is None:
            return None
        start = self.cell_position(span.line, span.column)
        end = self.cell_position(span.end_line, span.end_column)
        if start is None:
            return None
        if end is None or end[0] is not start[0]:
            # A range cannot leave its cell: it ends where the cell's code ends.
            end = (start[0], start[0].line_count, 1 << 30)
        first = self.json_position(*start)
        last = self.json_position(*end)
        return CodeRange(first[0], first[1], last[0], last[1])

    def json_line_cells(self) -> dict[int, list[tuple[CodeCell, int]]]:
        """JSON line -> the (cell, line in the cell) that start on it."""
        found: dict[int, list[tuple[CodeCell, int]]] = {}
        for cell in self.cells:
            for line in range(1, len(self._cell_line_starts(cell)) + 1):
                if line > cell.line_count:
                    break
                json_line = self.json_position(cell, line, 1)[0]
                found.setdefault(json_line, []).append((cell, line))
        return found

    def module_line(self, cell: CodeCell, line: int) -> int:
        return cell.first_line + line - 1

    # Findings and conversions
    def finding(self, finding: Finding) -> Finding:
        where = self.cell_position(finding.line, finding.column)
        if where is None:
            return finding
        cell, line, column = where
        json_line, json_column = self.json_position(cell, line, column)
        return NotebookFinding(
            line=json_line,
            column=json_column,
            code=finding.code,
            message=finding.message,
            range=self.json_range(finding.range),
            cell=cell.number,
            cell_line=line,
            cell_column=column,
        )

    def conversion(self, conversion: Conversion) -> Conversion:
        where = self.cell_position(conversion.line, 1)
        if where is None:
            return conversion
        cell, line, _ = where
        fields = {f.name: getattr(conversion, f.name) for f in dataclasses.fields(Conversion)}
        fields["range"] = self.json_range(conversion.range)
        fields["name_range"] = self.json_range(conversion.name_range)
        return NotebookConversion(**fields, cell=cell.number, cell_line=line)

    def locate_message(self, message: str) -> str:
        """A pipeline message about module line N, about the cell line instead."""

        def replace(match: re.Match) -> str:
            where = self.cell_position(int(match.group(1)), 1)
            if where is None:
                return match.group(0)
            return f"cell {where[0].number}, line {where[1]}"

        return re.sub(r"\bline (\d+)", replace, message, count=1)

    # Imports a conversion added
    def place_new_imports(self, module: str) -> str:
        """``module`` (the migrated notebook code) with the imports the migration added
        moved into the first code cell that has imports, or into the first code cell
        when that one comes after the first cell the migration changed (the new names
        are used there) or when no cell has imports. The engine adds them beside the
        TensorFlow import, which in a notebook may be a later cell than the code that
        now needs them. They go where :func:`~migrate_tf.shared.imports.add_imports`
        puts them in that cell alone.
        """
        import libcst as cst

        from migrate_tf.shared.imports import add_imports

        segments = self._segments(module)
        known: Counter = Counter()
        has_imports = []
        for cell in self.cells:
            statements = _statements(cell.python, imports_only=True)
            known += statements
            has_imports.append(bool(statements))
        first_changed = next(
            (n for n, (cell, segment) in enumerate(zip(self.cells, segments)) if segment != cell.python),
            None,
        )
        if first_changed is None:
            return module
        target = has_imports.index(True) if any(has_imports) else 0
        if target > first_changed:
            target = 0
        tree = cst.parse_module(module)
        markers = {self.marker(cell) for cell in self.cells[1:]}
        position = 0
        cell_of = []
        new_imports: list[tuple[int, tuple[str, str | None]]] = []
        for index, statement in enumerate(tree.body):
            if _marker_name(statement) in markers:
                position += 1
                cell_of.append(-1)
                continue
            cell_of.append(position)
            wanted = _generated_import(statement)
            if wanted is not None:
                dump = _statements(tree.code_for_node(statement), imports_only=True)
                if not (dump - known):
                    known -= dump  # one that was there before
                    continue
                new_imports.append((index, wanted))
        moving = [(index, wanted) for index, wanted in new_imports if cell_of[index] != target]
        if not moving:
            return module
        body = list(tree.body)
        for index, _ in reversed(moving):
            statement = body.pop(index)
            cell_of.pop(index)
            if statement.leading_lines and index < len(body) and cell_of[index] != -1:
                # It had taken over its group's leading blank lines and comments.
                body[index] = body[index].with_changes(
                    leading_lines=[*statement.leading_lines, *body[index].leading_lines]
                )
        # The target cell's statements: between its marker and the next one.
        marker_at = [index for index, cell in enumerate(cell_of) if cell == -1]
        start = marker_at[target - 1] + 1 if target else 0
        end = marker_at[target] if target < len(marker_at) else len(body)
        cell_module = add_imports(
            cst.Module(body=body[start:end]), [wanted for _, wanted in moving]
        )
        body[start:end] = list(cell_module.body)
        return tree.with_changes(body=body).code

    # Back from the module
    def cells_from_module(self, module: str) -> dict[int, str]:
        """Cell index -> new source (magics restored) of the cells ``module`` changes.

        Raises :class:`NotebookFormatError` when the module cannot be cut back into
        the cells unambiguously.
        """
        segments = self._segments(module)
        self._check_moves(segments)
        changed: dict[int, str] = {}
        seen: set[str] = set()
        for cell, segment in zip(self.cells, segments):
            if segment == cell.python:
                seen.update(cell.magics)
                continue
            source = self._restore(cell, segment, seen)
            if source != cell.source:
                changed[cell.index] = source
        missing = [name for cell in self.cells for name in cell.magics if name not in seen]
        if missing:
            raise NotebookFormatError(
                MOVED_ACROSS_CELLS.format(detail="an IPython magic line was dropped")
            )
        return changed

    def _segments(self, module: str) -> list[str]:
        lines = split_lines(module)
        markers = {self.marker(cell): position for position, cell in enumerate(self.cells)}
        cuts = []
        for number, line in enumerate(lines):
            body = _line_body(line)
            if body in markers:
                cuts.append((number, markers[body]))
        expected = list(range(1, len(self.cells)))
        if [position for _, position in cuts] != expected or module.count(
            f"{self.prefix}cell_"
        ) != len(expected):
            raise NotebookFormatError(
                MOVED_ACROSS_CELLS.format(detail="the cell markers did not come back in order")
            )
        segments = []
        start = 0
        for number, _ in cuts:
            segments.append("".join(lines[start:number]))
            start = number + 1
        segments.append("".join(lines[start:]))
        if module.count(f"{self.prefix}magic_") != sum(len(cell.magics) for cell in self.cells):
            raise NotebookFormatError(
                MOVED_ACROSS_CELLS.format(
                    detail="an IPython magic line was dropped, copied or changed"
                )
            )
        return segments

    def _check_moves(self, segments: list[str]) -> None:
        """Refuse when a top-level statement left one cell and turned up in another.

        Statements are compared as ASTs (no positions, no comments): one that a cell
        lost and another gained, identical, was moved across a boundary. Statements a
        rule rewrote (a function that became a class) or added (an import) are not.
        """
        lost: list[Counter] = []
        gained: list[Counter] = []
        for cell, segment in zip(self.cells, segments):
            if segment == cell.python:
                lost.append(Counter())
                gained.append(Counter())
                continue
            try:
                before = _statements(cell.python)
                after = _statements(segment)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                raise NotebookFormatError(
                    MOVED_ACROSS_CELLS.format(
                        detail=f"cell {cell.number} is not valid Python on its own"
                    )
                ) from None
            lost.append(before - after)
            gained.append(after - before)
        for source, statements in enumerate(lost):
            for target, added in enumerate(gained):
                if source != target and statements & added:
                    raise NotebookFormatError(
                        MOVED_ACROSS_CELLS.format(
                            detail=f"a statement of cell {self.cells[source].number} "
                            f"moved to cell {self.cells[target].number}"
                        )
                    )

    def _restore(self, cell: CodeCell, segment: str, seen: set[str]) -> str:
        pieces = []
        for line in split_lines(segment):
            body = _line_body(line)
            stripped = body.lstrip(" \t")
            if not stripped.startswith(f"{self.prefix}magic_"):
                pieces.append(line)
                continue
            if stripped not in cell.magics or stripped in seen:
                raise NotebookFormatError(
                    MOVED_ACROSS_CELLS.format(
                        detail=f"an IPython magic line of cell {cell.number} moved"
                    )
                )
            seen.add(stripped)
            original, indent = cell.magics[stripped]
            new_indent = _indentation(body)
            if new_indent != indent and original.startswith(indent):
                original = new_indent + original[len(indent) :]
            pieces.append(original + line[len(body) :])
        source = "".join(pieces)
        if cell.added_newline or not cell.source:
            # The cell did not end with a line break (Jupyter's cells do not): nor does
            # its new code.
            source = _line_body_end(source)
        return source

    # Writing
    def render(self, changed: dict[int, str]) -> str:
        """The JSON text with the sources of ``changed`` cells replaced."""
        pieces = []
        position = 0
        for index in sorted(changed):
            span = self.spans[index]
            pieces.append(self.text[position : span.start])
            pieces.append(self._value(span, changed[index]))
            position = span.end
        pieces.append(self.text[position:])
        return "".join(pieces)

    def _dump(self, value: str) -> str:
        return json.dumps(value, ensure_ascii=self.style.ensure_ascii)

    def _value(self, span: _SourceSpan, source: str) -> str:
        if span.elements is None:
            return self._dump(source)
        lines = _source_lines(source, [self.text[s:e] for s, e in span.elements])
        if not lines:
            return "[]"
        known = {}
        for start, end in span.elements:
            known.setdefault(json.loads(self.text[start:end]), self.text[start:end])
        literals = [known.get(line) or self._dump(line) for line in lines]
        elements = span.elements
        if elements:
            opening = self.text[span.start + 1 : elements[0][0]]
            closing = self.text[elements[-1][1] : span.end - 1]
            if len(elements) > 1:
                separator = self.text[elements[0][1] : elements[1][0]]
            elif "\n" in opening:
                separator = "," + opening
            else:
                separator = self.style.item_separator
        elif self.style.indent is not None:
            line_start = self.text.rfind("\n", 0, span.key_start) + 1
            key_indent = _indentation(self.text[line_start : span.key_start])
            newline = "\r\n" if "\r\n" in self.text else "\n"
            opening = newline + key_indent + self.style.indent
            closing = newline + key_indent
            separator = "," + opening
        else:
            opening = closing = ""
            separator = self.style.item_separator
        return "[" + opening + separator.join(literals) + closing + "]"

    def expected_document(self, changed: dict[int, str]) -> dict:
        document = json.loads(self.text)
        for index, source in changed.items():
            cell = document["cells"][index]
            if isinstance(cell.get("source"), list):
                raw = [self.text[s:e] for s, e in self.spans[index].elements or []]
                cell["source"] = _source_lines(source, raw)
            else:
                cell["source"] = source
        return document

    def runnable(self, module: str) -> str:
        """``module`` (this notebook's code, with markers and placeholders) as code that
        runs: every marker and placeholder line becomes ``pass``, so lines keep their
        numbers."""
        pieces = []
        for line in split_lines(module):
            body = _line_body(line)
            stripped = body.lstrip(" \t")
            if stripped.startswith(self.prefix) and re.fullmatch(
                re.escape(self.prefix) + r"(?:cell|magic)_\d+_", stripped
            ):
                line = _indentation(body) + "pass" + line[len(body) :]
            pieces.append(line)
        return "".join(pieces)


def _statements(code: str, *, imports_only: bool = False) -> Counter:
    """The top-level statements (or imports) of ``code``, as position-free AST dumps."""
    import ast
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(code)
    return Counter(
        ast.dump(statement)
        for statement in tree.body
        if not imports_only or isinstance(statement, (ast.Import, ast.ImportFrom))
    )


def _marker_name(statement) -> str | None:
    import libcst as cst

    if (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.Name)
    ):
        return statement.body[0].value.value
    return None


def _generated_import(statement) -> tuple[str, str | None] | None:
    """(module, name) of an import as the engine generates them (``import m``,
    ``from m import o``), else None."""
    import libcst as cst

    from migrate_tf.shared.imports import dotted_name

    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import) and len(small.names) == 1 and small.names[0].asname is None:
        return dotted_name(small.names[0].name), None
    if (
        isinstance(small, cst.ImportFrom)
        and small.module is not None
        and not small.relative
        and isinstance(small.names, (list, tuple))
        and len(small.names) == 1
        and small.names[0].asname is None
        and isinstance(small.names[0].name, cst.Name)
    ):
        return dotted_name(small.module), small.names[0].name.value
    return None


def _source_lines(source: str, original: Sequence[str]) -> list[str]:
    """A list-form source split into lines as the original list was: after each ``\\n``
    (Jupyter's and VS Code's writers), or wherever ``str.splitlines`` splits (nbformat)
    when the original list was split at other line boundaries too."""
    decoded = [json.loads(raw) for raw in original]
    at_newlines_only = all(
        line.endswith("\n") or position == len(decoded) - 1
        for position, line in enumerate(decoded)
    )
    if at_newlines_only:
        return re.findall(r"[^\n]*\n|[^\n]+$", source)
    return source.splitlines(keepends=True)


def read_notebook(text: str) -> Notebook:
    """Parse a notebook's JSON text. Raises :class:`NotebookFormatError`."""
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookFormatError(
            f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except RecursionError:
        raise NotebookFormatError("the JSON is nested too deeply") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        if isinstance(document, dict) and "worksheets" in document:
            raise NotebookFormatError(
                "nbformat 3 notebooks are not supported; convert it with "
                "'jupyter nbconvert --to notebook'"
            )
        raise NotebookFormatError("not a Jupyter notebook (no \"cells\" list)")
    try:
        spans, style = _locate(text)
    except (ValueError, IndexError, RecursionError) as error:
        raise NotebookFormatError(f"cannot read the notebook's JSON: {error}") from None

    sources: list[tuple[int, str]] = []
    if _is_python_notebook(document):
        for index, cell in enumerate(document["cells"]):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            source = _joined_source(cell, index)
            if not _is_python_cell(cell) or _is_cell_magic(source):
                continue
            if index not in spans:
                if not source:
                    continue  # no "source" key: nothing to migrate
                raise NotebookFormatError(f"cell {index + 1}: cannot locate its source")
            sources.append((index, source))
    prefix = PREFIX
    number = 0
    while any(prefix in source for _, source in sources):
        number += 1
        prefix = f"_migrate_tf{number}_"
    counter = [0]
    cells = [_code_cell(index, source, prefix, counter) for index, source in sources]
    notebook = Notebook(
        text=text, bom=bom, document=document, cells=cells, spans=spans, style=style,
        prefix=prefix, module="",
    )
    pieces = []
    line = 1
    for position, cell in enumerate(cells):
        if position:
            pieces.append(notebook.marker(cell) + "\n")
            line += 1
        cell.first_line = line
        cell.line_count = len(split_lines(cell.python))
        pieces.append(cell.python)
        line += cell.line_count
    notebook.module = "".join(pieces)
    return notebook


# Migrating ----------------------------------------------------------------------------------


@dataclasses.dataclass
class NotebookResult:
    """What happened to one notebook's text."""

    text: str
    output: str
    findings: list[Finding] = dataclasses.field(default_factory=list)
    #: as :class:`NotebookConversion` (JSON ranges, module lines)
    conversions: list[Conversion] = dataclasses.field(default_factory=list)
    error: str | None = None
    applied: tuple[str, ...] = ()
    notebook: Notebook | None = None
    #: the migrated module (markers and placeholders in it), when the notebook changed
    new_module: str | None = None

    @property
    def changed(self) -> bool:
        return self.error is None and self.output != self.text


def _cell_problem(notebook: Notebook, filename: str) -> str | None:
    """The first code cell that is not valid Python, as the pipeline words it."""
    from migrate_tf.engine.pipeline import check_source

    for cell in notebook.cells:
        problem = check_source(cell.python, filename)
        if problem is not None:
            prefix = "cannot parse: "
            if problem.startswith(prefix):
                return f"{prefix}cell {cell.number}, {problem[len(prefix):]}"
            return f"cell {cell.number}: {problem}"
    return None


def migrate_notebook_text(
    text: str,
    *,
    rules: Sequence[type[Rule]],
    settings: Settings,
    filename: str = "<stdin>",
    suppress: Iterable[tuple[str, int]] = (),
) -> NotebookResult:
    """Migrate a notebook's JSON text. Never raises for bad input: a notebook that
    cannot be read, parsed or cut back into cells comes back with ``error`` set and
    its output equal to its input."""
    import libcst as cst

    from migrate_tf.engine.pipeline import migrate_source, validate_output

    try:
        notebook = read_notebook(text)
    except NotebookFormatError as error:
        return NotebookResult(text, text, error=f"cannot read the notebook: {error}")
    triggered = triggered_by(rules, notebook.module.encode("utf-8", "surrogatepass"))
    if not triggered:
        return NotebookResult(text, text, notebook=notebook)
    problem = _cell_problem(notebook, filename)
    if problem is not None:
        return NotebookResult(text, text, error=problem, notebook=notebook)
    result = migrate_source(
        notebook.module, rules=triggered, settings=settings, filename=filename,
        suppress=suppress,
    )
    findings = [notebook.finding(finding) for finding in result.findings]
    if result.error is not None:
        return NotebookResult(
            text, text, findings=findings, error=notebook.locate_message(result.error),
            notebook=notebook,
        )
    if not result.changed:
        return NotebookResult(text, text, findings=findings, notebook=notebook)

    def refuse(error: str) -> NotebookResult:
        return NotebookResult(text, text, findings=findings, error=error, notebook=notebook)

    try:
        new_module = notebook.place_new_imports(result.output)
        changed = notebook.cells_from_module(new_module)
    except NotebookFormatError as error:
        return refuse(str(error))
    except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError) as error:
        return refuse(
            f"internal error: the migrated code cannot be cut back into cells ({error}); "
            "the notebook was left unchanged"
        )
    for cell in notebook.cells:
        if cell.index not in changed:
            continue
        placeholder = _code_cell(cell.index, changed[cell.index], notebook.prefix, [0])
        # The new cell as IPython will see it (magics as placeholders) must compile alone.
        problem = validate_output(placeholder.python, filename)
        if problem is not None:
            return refuse(
                f"internal error: the migrated cell {cell.number} does not parse "
                f"({problem}); the notebook was left unchanged"
            )
    if not changed:
        return NotebookResult(text, text, findings=findings, notebook=notebook)
    output = notebook.render(changed)
    try:
        same = _same_json(json.loads(output), notebook.expected_document(changed))
    except (ValueError, RecursionError):
        same = False
    if not same:
        return refuse(
            "internal error: the notebook's JSON could not be updated in place; "
            "the notebook was left unchanged"
        )
    if notebook.bom:
        output = BOM + output
    return NotebookResult(
        text,
        output,
        findings=findings,
        conversions=[notebook.conversion(c) for c in result.conversions],
        applied=result.applied,
        notebook=notebook,
        new_module=new_module,
    )


def _same_json(left, right) -> bool:
    # Through dumps: NaN (which the JSON of some writers holds) is not equal to itself.
    return json.dumps(left) == json.dumps(right)


def migrate_notebook_bytes(
    data: bytes,
    *,
    rules: Sequence[type[Rule]],
    settings: Settings,
    filename: str = "<stdin>",
):
    """:func:`migrate_notebook_text` for a file's bytes, as a pipeline ``BytesResult``."""
    from migrate_tf.engine.pipeline import BytesResult

    # The JSON escapes go first: `"...\\ntf.compat"` holds `tf.compat` as a word.
    if not triggered_by(rules, _JSON_ESCAPE.sub(b" ", data)):
        return BytesResult(data=data, output=data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return BytesResult(
            data=data, output=data,
            error=f"cannot decode: line {line}: a notebook must be UTF-8 ({error.reason})",
        )
    result = migrate_notebook_text(text, rules=rules, settings=settings, filename=filename)
    if not result.changed:
        return BytesResult(
            data=data, output=data, findings=result.findings, error=result.error,
            parsed=result.notebook is not None,
        )
    return BytesResult(
        data=data,
        output=result.output.encode("utf-8", "surrogatepass"),
        findings=result.findings,
        applied=result.applied,
        parsed=True,
        conversions=result.conversions,
    )


# Diffs --------------------------------------------------------------------------------------


def _cell_sources(data: bytes) -> list[str | None]:
    text = data.decode("utf-8")
    document = json.loads(text[1:] if text.startswith(BOM) else text)
    sources: list[str | None] = []
    for index, cell in enumerate(document["cells"]):
        try:
            sources.append(_joined_source(cell, index) if isinstance(cell, dict) else None)
        except NotebookFormatError:
            sources.append(None)
    return sources


def notebook_diff(path: str, before: bytes, after: bytes) -> str:
    """A unified diff per changed cell, headed ``a/nb.ipynb:cell 3`` / ``b/nb.ipynb:cell 3``.

    Cells are numbered as in findings (every cell counts). When neither version of a
    cell ends with a line break, one is added to both for the diff, so that the usual
    last line of a cell is not flagged "No newline at end of file".
    """
    from migrate_tf.engine.diff import unified_diff_text

    try:
        old = _cell_sources(before)
        new = _cell_sources(after)
    except (ValueError, KeyError, TypeError, RecursionError):
        old = new = None
    if old is None or new is None or len(old) != len(new):
        return unified_diff_text(
            path, before.decode("utf-8", "replace"), after.decode("utf-8", "replace")
        )
    pieces = []
    for number, (a, b) in enumerate(zip(old, new), start=1):
        if a == b or a is None or b is None:
            continue
        if a and b and not a.endswith(("\n", "\r")) and not b.endswith(("\n", "\r")):
            a, b = a + "\n", b + "\n"
        pieces.append(unified_diff_text(f"{path}:cell {number}", a, b))
    return "".join(pieces)


__all__ = [
    "NotebookConversion",
    "NotebookFinding",
    "NotebookFormatError",
    "NotebookResult",
    "is_notebook",
    "migrate_notebook_bytes",
    "migrate_notebook_text",
    "notebook_diff",
    "read_notebook",
]
