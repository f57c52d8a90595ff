"""``migrate-tf lsp`` on a Jupyter notebook opened as a text document (its JSON).

The real server process, driven by pygls' client (the helpers of ``test_lsp.py``):
the diagnostics sit on the cell code inside the JSON strings, "Migrate all in file"
and the single-construct action edit the JSON into exactly what ``apply`` writes, and
"Ignore" puts the comment on the cell line, inside its JSON string.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

pytest.importorskip("pygls")

from lsprotocol import types
from test_lsp import (
    RESOLVING_CLIENT,
    apply,
    apply_with_the_cli,
    finish,
    make_project,
    start,
    text_edits,
)
from test_notebooks import GLU_CLASS, glu_notebook, nbformat_text, sources

from migrate_tf.config import Settings
from migrate_tf.engine.notebook import migrate_notebook_text
from migrate_tf.rules import all_rules


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start(tmp_path_factory, RESOLVING_CLIENT)
    yield running
    finish(running)


def _text_at(text: str, diagnostic: types.Diagnostic) -> str:
    """The characters a diagnostic covers (ASCII lines: UTF-16 units are characters)."""
    start, end = diagnostic.range.start, diagnostic.range.end
    assert start.line == end.line
    return text.splitlines()[start.line][start.character : end.character]


def test_notebook_json_diagnostics_and_actions_edit_the_json_as_apply_would(server):
    project = make_project(server.root, "notebooks")
    original = nbformat_text(glu_notebook())
    path = project / "nb.ipynb"
    path.write_text(original, encoding="utf-8")
    uri = server.open(path, original)

    diagnostics = server.diagnostics(uri, 1)

    [conversion] = [d for d in diagnostics if d.severity == types.DiagnosticSeverity.Information]
    [finding] = [d for d in diagnostics if d.severity == types.DiagnosticSeverity.Warning]
    assert (conversion.code, _text_at(original, conversion)) == ("MTF101", "glu")
    assert "def glu(" in original.splitlines()[conversion.range.start.line]
    assert (finding.code, _text_at(original, finding)) == ("MTF101", "glu(x, 32)")

    # What apply writes, by the command line on a copy
    copy = project / "copy.ipynb"
    shutil.copyfile(path, copy)
    apply_with_the_cli(copy)
    written = copy.read_text(encoding="utf-8")
    assert sources(written)[2] == GLU_CLASS

    actions = server.code_actions(uri, conversion.range.start.line, conversion.range.start.character)
    fix_all = next(a for a in actions if a.kind == "source.fixAll.migrate-tf")
    edits, version = text_edits(fix_all, uri)
    assert version == 1
    assert apply(original, edits) == written
    # the edits replace lines of the cells' source lists only (nbformat indents their
    # strings by four spaces; outputs and metadata are elsewhere and deeper)
    lines = original.splitlines()
    replaced = [lines[n] for e in edits for n in range(e.range.start.line, e.range.end.line)]
    assert replaced and all(re.match(r'    "', line) for line in replaced)

    construct = next(a for a in actions if a.title.startswith("Migrate `glu`"))
    resolved = server.resolve(construct)
    edits, _ = text_edits(resolved, uri)
    assert apply(original, edits) == written  # the only conversion: the same edits

    actions = server.code_actions(uri, finding.range.start.line, finding.range.start.character)
    ignore = next(a for a in actions if a.title.startswith("Ignore MTF101"))
    edits, _ = text_edits(ignore, uri)
    ignored = apply(original, edits)
    assert json.loads(ignored)["cells"][4]["source"][2] == "y = glu(x, 32)  # migrate-tf: ignore[MTF101]\n"
    assert [i for i, (a, b) in enumerate(zip(original.splitlines(), ignored.splitlines())) if a != b] == [
        finding.range.start.line
    ]
    again = migrate_notebook_text(ignored, rules=all_rules(), settings=Settings(), filename="nb.ipynb")
    assert again.findings == []


def test_a_notebook_with_a_broken_cell_gets_one_error_diagnostic(server):
    project = make_project(server.root, "broken")
    document = glu_notebook()
    document["cells"][2]["source"] = ["with tf.variable_scope(:\n", "    pass"]
    text = nbformat_text(document)
    uri = server.open(project / "broken.ipynb", text)

    [diagnostic] = server.diagnostics(uri, 1)

    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.message == (
        "migrate-tf cannot migrate this file: a code cell does not parse: "
        "cell 3, line 1, column 24: invalid syntax"
    )
