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
"""

from __future__ import annotations

import dataclasses

from migrate_tf.engine.notebook import (
    NotebookFormatError,
    NotebookResult,
    migrate_notebook_text,
)
from migrate_tf.engine.pipeline import SourceResult
from migrate_tf.lsp.analysis import Analysis, Edit, Text, apply_edits, minimal_edits
from migrate_tf.rules.base import Conversion

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
        target = (conversion.code, conversion.line)
        suppress = [
            (other.code, other.line)
            for other in self.conversions
            if (other.code, other.line) != target
        ]
        if not suppress:
            return self.fix_all_edits()
        alone = migrate_notebook_text(
            self.text,
            rules=self.rules,
            settings=self.project.settings,
            filename=self._filename(),
            suppress=suppress,
        )
        if alone.error is not None or not alone.changed:
            return None
        if target not in {(c.code, c.line) for c in alone.conversions}:
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


__all__ = ["NotebookAnalysis", "analyse_notebook"]
