"""``migrate-tf lsp`` on Jupyter notebooks.

The real server process, driven by pygls' client (the helpers of ``test_lsp.py``),
for a client that also speaks LSP 3.17 notebook documents (as VS Code does):

* a notebook opened as a text document (its JSON): the diagnostics sit on the cell
  code inside the JSON strings, "Migrate all in file" and the single-construct action
  edit the JSON into exactly what ``apply`` writes, and "Ignore" puts the comment on
  the cell line, inside its JSON string;
* a notebook opened as a notebook document (``notebookDocument/didOpen``, a text
  document per cell): the diagnostics are published on each cell's URI with ranges in
  the cell, and the code actions edit the cells into what ``apply`` writes into the
  cells of the ``.ipynb`` file, an added import in the cell ``apply`` puts it in.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import attrs
import pytest

pytest.importorskip("pygls")

from lsprotocol import types
from test_lsp import (
    PLAIN_CLIENT,
    RESOLVING_CLIENT,
    Server,
    apply,
    apply_with_the_cli,
    finish,
    make_project,
    text_edits,
)
from test_notebooks import (
    GLU_CLASS,
    GLU_FUNCTION,
    code,
    glu_notebook,
    markdown,
    nbformat_text,
    notebook,
    sources,
)

from migrate_tf.config import Settings
from migrate_tf.engine.notebook import migrate_notebook_text
from migrate_tf.rules import all_rules

NOTEBOOK_CLIENT = attrs.evolve(
    RESOLVING_CLIENT,
    notebook_document=types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities()
    ),
)


class NotebookServer(Server):
    """A :class:`test_lsp.Server` that keeps the server's answer to ``initialize``, and
    drives notebook documents."""

    async def _start(self) -> None:
        initialize = self.client.initialize_async

        async def keep(params: types.InitializeParams) -> types.InitializeResult:
            self.initialize_result = await initialize(params)
            return self.initialize_result

        self.client.initialize_async = keep
        await super()._start()

    def open_notebook(self, path: Path, cells: list[dict]) -> tuple[str, list[str]]:
        """``notebookDocument/didOpen`` of ``cells`` (nbformat cell dicts), as VS Code
        sends a Jupyter notebook: version 1, a ``vscode-notebook-cell`` URI per cell."""
        uri = path.as_uri()
        cell_uris = [
            f"vscode-notebook-cell:{path.as_posix()}#W{number}sZmlsZQ%3D%3D"
            for number in range(len(cells))
        ]
        params = types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=uri,
                notebook_type="jupyter-notebook",
                version=1,
                cells=[
                    types.NotebookCell(
                        kind=types.NotebookCellKind.Code
                        if cell["cell_type"] == "code"
                        else types.NotebookCellKind.Markup,
                        document=cell_uri,
                    )
                    for cell, cell_uri in zip(cells, cell_uris)
                ],
                metadata={"custom": {}},
            ),
            cell_text_documents=[
                types.TextDocumentItem(
                    uri=cell_uri,
                    language_id="python" if cell["cell_type"] == "code" else "markdown",
                    version=1,
                    text="".join(cell["source"]),
                )
                for cell, cell_uri in zip(cells, cell_uris)
            ],
        )
        self.loop.call_soon_threadsafe(self.client.notebook_document_did_open, params)
        return uri, cell_uris

    def change_cell(
        self, uri: str, version: int, cell_uri: str, cell_version: int, change
    ) -> None:
        """``notebookDocument/didChange`` with one change of one cell's text."""
        params = types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=uri, version=version),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(
                                uri=cell_uri, version=cell_version
                            ),
                            changes=[change],
                        )
                    ]
                )
            ),
        )
        self.loop.call_soon_threadsafe(self.client.notebook_document_did_change, params)

    def close_notebook(self, uri: str, cell_uris: list[str]) -> None:
        params = types.DidCloseNotebookDocumentParams(
            notebook_document=types.NotebookDocumentIdentifier(uri=uri),
            cell_text_documents=[types.TextDocumentIdentifier(uri=u) for u in cell_uris],
        )
        self.loop.call_soon_threadsafe(self.client.notebook_document_did_close, params)

    def latest(self, uri: str, count: int) -> list[types.Diagnostic]:
        """The diagnostics of the ``count``-th publication on ``uri`` (waits for it)."""
        published = self.wait_for(uri, lambda ps: len(ps) >= count)
        return list(published[count - 1].diagnostics)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = NotebookServer(tmp_path_factory.mktemp("lsp"), NOTEBOOK_CLIENT)
    yield running
    finish(running)


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory):
    """A client with notebook documents, without codeAction/resolve or documentChanges."""
    capabilities = attrs.evolve(PLAIN_CLIENT, notebook_document=NOTEBOOK_CLIENT.notebook_document)
    running = NotebookServer(tmp_path_factory.mktemp("lsp"), capabilities)
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


# Notebook documents ------------------------------------------------------------------------

IMPORTS = "%matplotlib inline\nimport numpy as np\nimport tensorflow as tf"
CALL = "x = np.zeros([4, 64], dtype=np.float32)\ny = glu(x, 32)"


def glu_cells() -> list[dict]:
    """Three code cells (a magic and the imports, the TF1 function of the golden case,
    a call of it) and a markdown cell."""
    return [
        code(IMPORTS, "imports"),
        code(GLU_FUNCTION, "glu-def"),
        markdown("Call it:", "call-md"),
        code(CALL, "glu-call"),
    ]


def _cell_text_at(text: str, diagnostic: types.Diagnostic) -> str:
    start, end = diagnostic.range.start, diagnostic.range.end
    assert start.line == end.line
    return text.split("\n")[start.line][start.character : end.character]


def apply_to_cells(
    edit: types.WorkspaceEdit, cells: dict[str, str], versions: dict[str, int]
) -> tuple[dict[str, str], set[str]]:
    """The cells' texts after a workspace edit (as VS Code applies it), and the cells
    it edits; every edit is for the cell's current version."""
    result = dict(cells)
    edited = set()
    for change in edit.document_changes:
        uri = change.text_document.uri
        assert change.text_document.version == versions[uri]
        assert uri not in edited
        edited.add(uri)
        result[uri] = apply(result[uri], list(change.edits))
    return result, edited


def test_notebook_sync_is_advertised_for_python_cells_of_ipynb_notebooks(server):
    sync = server.initialize_result.capabilities.notebook_document_sync
    [selector] = sync.notebook_selector
    assert selector.notebook.pattern == "**/*.ipynb"
    assert [cell.language for cell in selector.cells] == ["python"]


def test_notebook_document_diagnostics_on_the_cells_and_actions_edit_the_cells_as_apply_would(server):
    project = make_project(server.root, "notebook-document")
    cells = glu_cells()
    path = project / "nb.ipynb"
    path.write_text(nbformat_text(notebook(*cells)), encoding="utf-8")
    uri, cell_uris = server.open_notebook(path, cells)
    texts = {cell_uri: "".join(cell["source"]) for cell, cell_uri in zip(cells, cell_uris)}
    versions = dict.fromkeys(cell_uris, 1)
    imports_uri, def_uri, markdown_uri, call_uri = cell_uris

    # Diagnostics: on each code cell's URI, for the cell's version, in the cell
    assert server.diagnostics(imports_uri, 1) == []
    [conversion] = server.diagnostics(def_uri, 1)
    [finding] = server.diagnostics(call_uri, 1)
    assert markdown_uri not in server.published
    assert uri not in server.published
    assert (conversion.severity, conversion.code, conversion.message) == (
        types.DiagnosticSeverity.Information, "MTF101", "`glu` can become the Keras layer `Glu`"
    )
    assert conversion.range == types.Range(
        start=types.Position(line=0, character=4), end=types.Position(line=0, character=7)
    )
    assert _cell_text_at(texts[def_uri], conversion) == "glu"
    assert (finding.severity, finding.code) == (types.DiagnosticSeverity.Warning, "MTF101")
    assert finding.range == types.Range(
        start=types.Position(line=1, character=4), end=types.Position(line=1, character=14)
    )
    assert _cell_text_at(texts[call_uri], finding) == "glu(x, 32)"

    # What apply writes into the cells of the .ipynb file
    copy = project / "copy.ipynb"
    shutil.copyfile(path, copy)
    apply_with_the_cli(copy)
    written = sources(copy.read_text(encoding="utf-8"))
    expected = dict(zip(cell_uris, written))
    assert expected[def_uri] == GLU_CLASS
    assert expected[imports_uri] != IMPORTS  # apply adds the import to the first cell

    # Migrate all in file, asked on the call's cell: every cell that changes, the
    # import in the cell of the imports
    actions = server.code_actions(call_uri, 0, 0, only=["source.fixAll"])
    [fix_all] = actions
    assert fix_all.kind == "source.fixAll.migrate-tf"
    fixed, edited = apply_to_cells(fix_all.edit, texts, versions)
    assert edited == {imports_uri, def_uri}
    assert fixed == expected

    # The single-construct action, on the cell of the definition (resolved lazily)
    actions = server.code_actions(def_uri, conversion.range.start.line, conversion.range.start.character)
    construct = next(a for a in actions if a.title == "Migrate `glu` to a Keras layer (MTF101)")
    assert construct.edit is None
    resolved = server.resolve(construct)
    migrated, edited = apply_to_cells(resolved.edit, texts, versions)
    assert edited == {imports_uri, def_uri}
    assert migrated == expected  # the only conversion: all of the migration
    # the quickfixes of a cell are those of its own diagnostics
    assert not any(a.title.startswith("Migrate `glu`") for a in server.code_actions(call_uri, 1, 6))

    # Ignore, on the cell of the call: the comment on that cell's line only
    actions = server.code_actions(call_uri, finding.range.start.line, finding.range.start.character)
    ignore = next(a for a in actions if a.title == "Ignore MTF101 with `# migrate-tf: ignore[MTF101]`")
    ignored, edited = apply_to_cells(ignore.edit, texts, versions)
    assert edited == {call_uri}
    assert ignored[call_uri] == CALL + "  # migrate-tf: ignore[MTF101]"

    # Closing the notebook clears the diagnostics of its cells
    counts = {u: len(server.published[u]) for u in (imports_uri, def_uri, call_uri)}
    server.close_notebook(uri, cell_uris)
    for cell_uri, count in counts.items():
        assert server.latest(cell_uri, count + 1) == []


def test_a_change_to_a_cell_updates_the_diagnostics_of_the_notebook(server):
    project = make_project(server.root, "notebook-change")
    cells = glu_cells()
    uri, cell_uris = server.open_notebook(project / "nb.ipynb", cells)
    imports_uri, def_uri, _, call_uri = cell_uris
    [finding] = server.diagnostics(call_uri, 1)
    assert finding.range.start.line == 1

    # An incremental change (VS Code sends cells' changes so): a line before the call
    server.change_cell(
        uri, 2, call_uri, 2,
        types.TextDocumentContentChangePartial(
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
            ),
            text="z = 1  # é😀\n",
        ),
    )
    [moved] = server.diagnostics(call_uri, 2)
    assert moved.range == types.Range(
        start=types.Position(line=2, character=4), end=types.Position(line=2, character=14)
    )
    assert moved.code == "MTF101"

    # The call goes: its cell has no diagnostic left, the definition keeps its own
    count = len(server.published[def_uri])
    server.change_cell(
        uri, 3, call_uri, 3,
        types.TextDocumentContentChangePartial(
            range=types.Range(
                start=types.Position(line=2, character=0), end=types.Position(line=2, character=14)
            ),
            text="y = x",
        ),
    )
    assert server.diagnostics(call_uri, 3) == []
    [conversion] = server.latest(def_uri, count + 1)
    assert (conversion.code, conversion.range.start.line) == ("MTF101", 0)

    # The definition's cell changes: its diagnostic follows the new name
    server.change_cell(
        uri, 4, def_uri, 2,
        types.TextDocumentContentChangeWholeDocument(text=GLU_FUNCTION.replace("glu", "gated")),
    )
    [renamed] = server.diagnostics(def_uri, 2)
    assert renamed.message == "`gated` can become the Keras layer `Gated`"
    assert renamed.range.end.character - renamed.range.start.character == len("gated")
    actions = server.code_actions(call_uri, 0, 0, only=["source.fixAll"])
    [fix_all] = actions
    assert {c.text_document.uri for c in fix_all.edit.document_changes} == {imports_uri, def_uri}

    # While a cell does not parse, the notebook has no diagnostics (the editor's
    # Python support shows the syntax error) and no code actions
    count = len(server.published[def_uri])
    server.change_cell(
        uri, 5, call_uri, 4, types.TextDocumentContentChangeWholeDocument(text="y = gated(x,\n")
    )
    assert server.diagnostics(call_uri, 4) == []
    assert server.latest(def_uri, count + 1) == []
    assert server.code_actions(def_uri, 0, 5) == []
    server.close_notebook(uri, cell_uris)


def test_on_a_client_without_resolve_the_cell_action_is_a_command_that_edits_the_cells(plain_server):
    server = plain_server
    project = make_project(server.root, "notebook-plain")
    cells = glu_cells()
    path = project / "nb.ipynb"
    path.write_text(nbformat_text(notebook(*cells)), encoding="utf-8")
    uri, cell_uris = server.open_notebook(path, cells)
    imports_uri, def_uri, _, _ = cell_uris
    texts = {cell_uri: "".join(cell["source"]) for cell, cell_uri in zip(cells, cell_uris)}
    assert len(server.diagnostics(def_uri, 1)) == 1
    actions = server.code_actions(def_uri, 0, 5)
    assert [a.title for a in actions] == [
        "Migrate `glu` to a Keras layer (MTF101)",
        "Ignore MTF101 with `# migrate-tf: ignore[MTF101]`",
        "Migrate all in file (migrate-tf)",
    ]
    migrate, _, fix_all = actions
    assert migrate.edit is None and migrate.command.command == "migrate-tf.migrateConstruct"
    server.call(
        server.client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command=migrate.command.command, arguments=migrate.command.arguments
            )
        )
    )
    [applied] = server.applied_edits
    apply_with_the_cli(path)
    expected = dict(zip(cell_uris, sources(path.read_text(encoding="utf-8"))))
    for edit in (applied.edit, fix_all.edit):
        # plain `changes`, one entry per cell that changes
        assert not edit.document_changes and set(edit.changes) == {imports_uri, def_uri}
        migrated = {u: apply(t, list(edit.changes.get(u, []))) for u, t in texts.items()}
        assert migrated == expected
    server.close_notebook(uri, cell_uris)
