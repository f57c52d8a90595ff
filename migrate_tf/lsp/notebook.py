"""The language server on a Jupyter notebook opened as a text document (its JSON).

An editor that opens ``nb.ipynb`` as text (not in a notebook view) sends the file's
JSON. The notebook is migrated as ``apply`` migrates it (its code cells as one
module, see :mod:`migrate_tf.engine.notebook`), and everything the server shows is in
that JSON text:

* diagnostics sit on the characters of the cell source lines inside the JSON strings
  (a finding's ``line``/``column``/``range`` are already JSON positions; so are a
  conversion's ``range``/``name_range``);
* "Migrate all in file" and the single-construct action edit the JSON: the new
  notebook text, exactly what ``apply`` would write, as the smallest line edits;
* "Ignore CODE" adds ``# migrate-tf: ignore[CODE]`` to the cell line, inside its JSON
  string (the comment is added to the module, which is cut back into cells and
  rendered again, so the escaping is the file's own).

A notebook whose cells do not parse gets one error diagnostic (nothing else checks a
notebook's Python while the editor shows JSON). In a cell whose source is one JSON
string (not a list of lines) several cell lines share a JSON line; an ignore comment
then goes on the line of the first diagnostic with that code on that JSON line.

Notebook documents (LSP 3.17)
    An editor that shows the notebook (VS Code, JupyterLab-LSP) sends it as a
    *notebook document*: its cells in order, each code cell a text document of its
    own. :func:`analyse_cells` writes those cells as a notebook (code cells of
    another language, and markup cells, as the engine would find them in the file),
    migrates it with :func:`~migrate_tf.engine.notebook.migrate_notebook_text`, the
    function ``apply`` uses, and maps everything back to the cells:
    :class:`CellsAnalysis` gives each conversion and finding as a range in its cell,
    and every code action as edits per cell (an import a conversion needs may land in
    another cell than the conversion, as ``apply`` places it).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from migrate_tf.engine.notebook import (
    NotebookFormatError,
    NotebookResult,
    migrate_notebook_text,
    split_lines,
)
from migrate_tf.engine.pipeline import SourceResult
from migrate_tf.lsp.analysis import (
    Analysis,
    Edit,
    Project,
    Projects,
    PipelineOutcome,
    Text,
    apply_edits,
    happened_alone,
    minimal_edits,
    others_than,
    resolve_project,
)
from migrate_tf.rules.base import CodeRange, Conversion, Finding, Rule

PARSE_ERROR = "cannot parse: "


@dataclasses.dataclass
class NotebookAnalysis(Analysis):
    """An :class:`Analysis` whose ``text`` is a notebook's JSON."""

    notebook_result: NotebookResult | None = None

    @property
    def error(self) -> str | None:
        error = super().error
        if error is not None and error.startswith(PARSE_ERROR):
            # The server stays quiet about Python syntax errors (the editor's Python
            # support shows them), but nothing checks the Python inside a notebook's JSON.
            return "a code cell does not parse: " + error[len(PARSE_ERROR) :]
        return error

    def warm(self) -> None:
        # No tokenizing for comment lines: the text is JSON (ignore_edit works on the
        # notebook's module instead).
        self.fix_all_edits()

    def _filename(self) -> str:
        return str(self.path) if self.path else "<editor>"

    def construct_edits(self, conversion: Conversion) -> list[Edit] | None:
        """The edits of the JSON that make this conversion and no other (conversions
        are told apart by their module lines, as the engine suppresses them)."""
        if self.result is None or self.project is None:
            return None
        suppress = others_than(self.conversions, conversion)
        if not suppress:
            return self.fix_all_edits()
        alone = migrate_notebook_text(
            self.text,
            rules=self.rules,
            settings=self.project.settings,
            filename=self._filename(),
            suppress=suppress,
        )
        if not happened_alone(alone, conversion):
            return None
        return minimal_edits(self.text, alone.output)

    def ignore_edit(self, line: int, code: str) -> Edit | None:
        """Add ``# migrate-tf: ignore[CODE]`` to the cell line on JSON line ``line``."""
        result = self.notebook_result
        notebook = result.notebook if result is not None else None
        if notebook is None:
            return None
        module_line = self._module_line(line, code)
        if module_line is None:
            return None
        edit = Analysis(text=notebook.module, path=None).ignore_edit(module_line, code)
        if edit is None:
            return None
        try:
            changed = notebook.cells_from_module(apply_edits(notebook.module, [edit]))
        except NotebookFormatError:
            return None
        new_text = notebook.render(changed)
        if notebook.bom:
            new_text = "\ufeff" + new_text
        return _single_edit(self.text, new_text)

    def _module_line(self, json_line: int, code: str) -> int | None:
        notebook = self.notebook_result.notebook
        candidates = notebook.json_line_cells().get(json_line, [])
        if not candidates:
            return None
        chosen = candidates[0]
        if len(candidates) > 1:
            for item in [*self.findings, *self.conversions]:
                span = getattr(item, "name_range", None) or item.range
                if item.code != code or span is None or span.line != json_line:
                    continue
                match = [
                    (cell, line)
                    for cell, line in candidates
                    if cell.number == getattr(item, "cell", None)
                    and line == getattr(item, "cell_line", None)
                ]
                if match:
                    chosen = match[0]
                    break
        cell, line = chosen
        return notebook.module_line(cell, line)


def _single_edit(old: str, new: str) -> Edit | None:
    """One edit that turns ``old`` into ``new`` (their differing middle)."""
    if old == new:
        return None
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    text = Text(old)
    return Edit(text.position(start), text.position(len(old) - end), new[start : len(new) - end])


def analyse_notebook(analysis: Analysis) -> NotebookAnalysis:
    """Migrate the notebook JSON of ``analysis`` (whose project is resolved and which is
    not excluded). Never raises for bad input."""
    fields = {field.name: getattr(analysis, field.name) for field in dataclasses.fields(Analysis)}
    notebook = NotebookAnalysis(**fields)
    project = notebook.project
    if project is None:
        return notebook
    notebook.rules = tuple(project.rules)
    result = migrate_notebook_text(
        notebook.text,
        rules=notebook.rules,
        settings=project.settings,
        filename=notebook._filename(),
    )
    notebook.notebook_result = result
    notebook.result = SourceResult(
        source=notebook.text,
        output=result.output,
        findings=list(result.findings),
        error=result.error,
        applied=result.applied,
        conversions=list(result.conversions),
    )
    return notebook


# Notebook documents ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Cell:
    """One cell of a notebook document, as the editor sent it."""

    uri: str
    text: str
    version: int | None = None
    #: a code cell (not markdown)
    code: bool = True
    language: str = "python"


@dataclasses.dataclass(frozen=True)
class Placed:
    """A conversion or a finding, in its cell.

    ``cell`` is the cell's position in :attr:`CellsAnalysis.cells`; ``span`` is where
    the diagnostic goes (a definition's name, a finding's node) and ``extent`` what the
    item covers (a whole definition); both 1-based, columns in code points, in the
    cell's text.
    """

    item: Conversion | Finding
    cell: int
    span: CodeRange
    extent: CodeRange


#: Edits per cell (the cell's position in :attr:`CellsAnalysis.cells`).
CellEdits = dict[int, list[Edit]]


def _escaped_length(char: str) -> int:
    """How many characters ``char`` takes in a JSON string written by :func:`_document`."""
    return len(json.dumps(char, ensure_ascii=False)) - 2


def _document(cells: Sequence[Cell], metadata: Any) -> str:
    """The notebook JSON the engine reads for ``cells``: one source line per JSON line
    (so that a JSON position maps back to a cell line and column simply)."""
    entries = []
    for cell in cells:
        if cell.code:
            entries.append(
                {
                    "cell_type": "code",
                    "execution_count": None,
                    # The engine's test for a cell of another language (VS Code's key).
                    "metadata": {"vscode": {"languageId": cell.language}},
                    "outputs": [],
                    "source": split_lines(cell.text),
                }
            )
        else:
            entries.append({"cell_type": "markdown", "metadata": {}, "source": split_lines(cell.text)})
    document = {
        "cells": entries,
        "metadata": metadata if isinstance(metadata, dict) else {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


@dataclasses.dataclass
class CellsAnalysis(PipelineOutcome):
    """One version of one notebook document, migrated in memory as ``apply`` would
    migrate the ``.ipynb`` file with the same cells."""

    cells: tuple[Cell, ...]
    path: Path | None
    version: int | None = None
    project: Project | None = None
    config_error: str | None = None
    excluded: bool = False
    rules: tuple[type[Rule], ...] = ()
    #: the notebook JSON the cells were written as, and what the engine made of it
    text: str = ""
    result: NotebookResult | None = None
    memo: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.new_sources())

    def _filename(self) -> str:
        return str(self.path) if self.path else "<editor>"

    def position(self, uri: str) -> int | None:
        """The position of the cell ``uri`` among :attr:`cells`."""
        for position, cell in enumerate(self.cells):
            if cell.uri == uri:
                return position
        return None

    def lines(self, position: int) -> Text:
        """The text of the cell at ``position``, for position arithmetic."""
        key = ("lines", position)
        if key not in self.memo:
            self.memo[key] = Text(self.cells[position].text)
        return self.memo[key]

    # From the engine's JSON positions back to the cells
    def _cell_location(self, line: int, column: int) -> tuple[int, int, int] | None:
        """(cell position, line, column), 1-based, of a 1-based position in :attr:`text`."""
        notebook = self.result.notebook if self.result is not None else None
        if notebook is None:
            return None
        if "json_lines" not in self.memo:
            self.memo["json_lines"] = notebook.json_line_cells()
        entries = self.memo["json_lines"].get(line)
        if not entries:
            return None
        code_cell, cell_line = entries[0]
        position = code_cell.index
        column_in_json = notebook.json_position(code_cell, cell_line, 1)[1]
        body = self.lines(position).line(cell_line - 1)
        for index, char in enumerate(body):
            if column_in_json >= column:
                return position, cell_line, index + 1
            column_in_json += _escaped_length(char)
        return position, cell_line, len(body) + 1

    def _cell_range(self, span: CodeRange | None) -> tuple[int, CodeRange] | None:
        if span is None:
            return None
        start = self._cell_location(span.line, span.column)
        end = self._cell_location(span.end_line, span.end_column)
        if start is None:
            return None
        if end is None or end[0] != start[0]:
            body = self.lines(start[0]).line(start[1] - 1)
            end = (start[0], start[1], len(body) + 1)
        return start[0], CodeRange(start[1], start[2], end[1], end[2])

    def placed(self) -> list[Placed]:
        """Every conversion, then every finding, in its cell."""
        if "placed" in self.memo:
            return self.memo["placed"]
        found = []
        for conversion in self.conversions:
            name = self._cell_range(conversion.name_range or conversion.range)
            whole = self._cell_range(conversion.range)
            if name is None:
                name = self._point(getattr(conversion, "cell", 0), getattr(conversion, "cell_line", 0), 1)
            if name is None:
                continue
            extent = whole[1] if whole is not None and whole[0] == name[0] else name[1]
            found.append(Placed(conversion, name[0], name[1], extent))
        for finding in self.findings:
            where = self._cell_range(finding.range) or self._point(
                getattr(finding, "cell", 0),
                getattr(finding, "cell_line", 0),
                getattr(finding, "cell_column", 1),
            )
            if where is None:
                continue
            found.append(Placed(finding, where[0], where[1], where[1]))
        self.memo["placed"] = found
        return found

    def _point(self, number: int, line: int, column: int) -> tuple[int, CodeRange] | None:
        if not 1 <= number <= len(self.cells) or line < 1:
            return None
        return number - 1, CodeRange(line, column, line, column)

    # What the cells become
    def _sources(self, result: NotebookResult) -> dict[int, str]:
        """Cell position -> new text, for the cells ``result`` changes."""
        if not result.changed:
            return {}
        cells = json.loads(result.output)["cells"]
        changed = {}
        for position, cell in enumerate(self.cells):
            source = cells[position].get("source", "")
            text = "".join(source) if isinstance(source, list) else source
            if text != cell.text:
                changed[position] = text
        return changed

    def new_sources(self) -> dict[int, str]:
        """What "Migrate all" makes of each cell it changes (what ``apply`` writes)."""
        if "new_sources" not in self.memo:
            self.memo["new_sources"] = self._sources(self.result) if self.result is not None else {}
        return self.memo["new_sources"]

    def _edits(self, sources: dict[int, str]) -> CellEdits:
        return {
            position: minimal_edits(self.cells[position].text, text)
            for position, text in sources.items()
        }

    def fix_all_edits(self) -> CellEdits:
        if "fix_all" not in self.memo:
            self.memo["fix_all"] = self._edits(self.new_sources())
        return self.memo["fix_all"]

    def warm(self) -> None:
        self.placed()
        self.fix_all_edits()

    def construct_edits(self, conversion: Conversion) -> CellEdits | None:
        """The edits per cell that make this conversion and no other (None if it does
        not happen alone); conversions are told apart by their module lines."""
        if self.result is None or self.project is None:
            return None
        suppress = others_than(self.conversions, conversion)
        if not suppress:
            return self.fix_all_edits()
        alone = migrate_notebook_text(
            self.text,
            rules=self.rules,
            settings=self.project.settings,
            filename=self._filename(),
            suppress=suppress,
        )
        if not happened_alone(alone, conversion):
            return None
        return self._edits(self._sources(alone))

    def ignore_edits(self, position: int, line: int, code: str) -> CellEdits | None:
        """Add ``# migrate-tf: ignore[CODE]`` to line ``line`` (1-based) of the cell at
        ``position`` (or to the first line after it that can take a comment), as
        :meth:`Analysis.ignore_edit` does in a file."""
        notebook = self.result.notebook if self.result is not None else None
        if notebook is None:
            return None
        code_cell = next((c for c in notebook.cells if c.index == position), None)
        if code_cell is None:
            return None
        module = Analysis(text=notebook.module, path=None)
        edit = module.ignore_edit(notebook.module_line(code_cell, line), code)
        if edit is None:
            return None
        try:
            changed = notebook.cells_from_module(apply_edits(notebook.module, [edit]))
        except NotebookFormatError:
            return None
        return self._edits(changed) or None


def analyse_cells(
    cells: Sequence[Cell],
    path: Path | None,
    *,
    projects: Projects,
    version: int | None = None,
    start: Path | None = None,
    metadata: Any = None,
) -> CellsAnalysis:
    """Migrate the cells of a notebook document (the notebook at ``path``) in memory,
    as ``apply`` migrates a ``.ipynb`` file with these cells. Never raises for bad
    input."""
    analysis = CellsAnalysis(cells=tuple(cells), path=path, version=version)
    project = resolve_project(analysis, projects, start)
    if project is None:
        return analysis
    analysis.rules = tuple(project.rules)
    analysis.text = _document(analysis.cells, metadata)
    analysis.result = migrate_notebook_text(
        analysis.text,
        rules=analysis.rules,
        settings=project.settings,
        filename=analysis._filename(),
    )
    return analysis


__all__ = [
    "Cell",
    "CellsAnalysis",
    "NotebookAnalysis",
    "Placed",
    "analyse_cells",
    "analyse_notebook",
]
