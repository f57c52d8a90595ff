"""``migrate-tf lsp``: the language server (pygls), over stdio or TCP.

Diagnostics
    On open and on change (debounced: :data:`DEBOUNCE_SECONDS` after the last
    change), each document is migrated in memory in a worker process, with the
    settings of its project. Every conversion is an *Information* diagnostic on the
    definition's name ("`mlp` can become the Keras layer `Mlp`"): nothing needs a
    person there, a code action does it. Every finding is a *Warning* on the reported
    node: code the tool saw but cannot convert. A document the pipeline cannot
    migrate for another reason than a syntax error (a rule crashed, ...) gets one
    *Error* at its first line; while it does not parse, it has no diagnostics (the
    editor's Python support reports syntax errors).

Code actions
    * "Migrate `mlp` to a Keras layer (MTF101)" (``quickfix``) for a conversion whose
      definition the cursor or selection touches: the smallest edits that make that
      conversion and no other. They cost one more run of the pipeline, so they are
      computed only when the action is chosen: in ``codeAction/resolve`` for clients
      that support it (VS Code, Neovim), else by the command
      ``migrate-tf.migrateConstruct``, which sends them with ``workspace/applyEdit``.
    * "Migrate all in file" (``source.fixAll.migrate-tf``): exactly what
      ``migrate-tf apply`` writes for the document, imports included.
    * "Ignore MTF101 with `# migrate-tf: ignore[MTF101]`" (``quickfix``), per
      diagnostic under the cursor.

Notebook documents
    Notebooks that the editor shows as notebooks (LSP 3.17 notebook documents: VS
    Code, JupyterLab-LSP) are synchronised as such (``notebookDocumentSync`` for
    ``*.ipynb`` notebooks with Python cells). On open and on change (debounced as
    above) the notebook's cells are migrated together, as ``apply`` migrates the
    ``.ipynb`` file (see :mod:`migrate_tf.lsp.notebook`), and the diagnostics are
    published on each cell's URI, with ranges in the cell. The code actions above are
    offered on a cell; their workspace edits hold an edit per cell that changes (an
    import a conversion needs may go into another cell, as ``apply`` puts it).

Results are cached per document version; a code action for the current version
answers from the cache. A code action asked for while the current version is still
being analysed waits for that analysis at most :data:`ACTION_WAIT_SECONDS` (the
initialization option ``codeActionWaitSeconds`` changes it); then it answers from
the last finished analysis, carried over to the current text
(:class:`~migrate_tf.lsp.analysis.CarriedAnalysis`): the conversions and findings
the edit did not touch, moved with their lines. Whatever such an action changes is
computed when it is chosen, for the version it applies to: "Migrate `name`" and
"Migrate all in file" resolve (or, for clients that cannot resolve, run a command)
against the current version's analysis, and "Ignore" edits come from the current
text. Source actions asked for by kind (``source.fixAll``, as on save) always wait
for the current version. Never imports TensorFlow: the pipeline only parses text.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from migrate_tf import __version__
from migrate_tf.engine.sarif import conversion_message
from migrate_tf.lsp import worker
from migrate_tf.lsp.analysis import (
    Analysis,
    CarriedAnalysis,
    Edit,
    conversion_span,
)
from migrate_tf.lsp.notebook import (
    Cell,
    CellEdits,
    CellsAnalysis,
    Placed,
)
from migrate_tf.lsp.worker import Migrations
from migrate_tf.rules.base import CodeRange, Conversion, Finding

logger = logging.getLogger("migrate_tf.lsp")

SOURCE = "migrate-tf"
DEBOUNCE_SECONDS = 0.3
#: How long a code action waits for the analysis of the current version before it
#: answers from the last finished one (a 1,000-line TF1 file takes ~0.4 s to migrate).
ACTION_WAIT_SECONDS = 0.1
FIX_ALL_KIND = "source.fixAll.migrate-tf"
MIGRATE_COMMAND = "migrate-tf.migrateConstruct"
MIGRATE_ALL_COMMAND = "migrate-tf.migrateAll"
QUICKFIX_KIND = types.CodeActionKind.QuickFix
#: The notebook documents the server synchronises: Jupyter notebooks, their Python cells.
NOTEBOOK_SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(
            notebook=types.NotebookDocumentFilterPattern(pattern="**/*.ipynb"),
            cells=[types.NotebookCellLanguage(language="python")],
        )
    ],
    save=True,
)


class _DocumentState:
    """What the server holds for one open document."""

    def __init__(self) -> None:
        self.timer: asyncio.TimerHandle | None = None
        #: the analysis task of the newest version asked for, and that version
        self.pending: asyncio.Future | None = None
        self.pending_version: int | None = None
        self.analysis: Analysis | None = None
        self.construct_cache: dict[tuple[int | None, str, int], Any] = {}
        #: the last analysis carried over to a newer version (see code actions)
        self.carried: CarriedAnalysis | None = None
        #: a notebook document (its analysis is a CellsAnalysis)
        self.notebook = False
        #: the cell URIs diagnostics were last published on (notebooks)
        self.published: set[str] = set()


class MigrateTfServer(LanguageServer):
    """A pygls server; its migrations run in a worker process (see :mod:`.worker`)."""

    def __init__(
        self,
        debounce: float = DEBOUNCE_SECONDS,
        action_wait: float = ACTION_WAIT_SECONDS,
        *,
        use_process: bool = True,
    ) -> None:
        super().__init__(
            "migrate-tf",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
            notebook_document_sync=NOTEBOOK_SYNC,
        )
        self.debounce = debounce
        self.action_wait = action_wait
        self.states: dict[str, _DocumentState] = {}
        #: The text of each notebook cell, by cell URI. pygls keeps cells in its
        #: workspace with the server's sync kind (Full), and applies a cell's
        #: incremental change as if it were the whole text; clients send cell changes
        #: incrementally whatever the server's kind, so cells are kept here.
        self.cell_documents: dict[str, TextDocument] = {}
        # One thread, which hands each migration to the worker process and waits: a
        # newer version supersedes an older one anyway, and the thread skips versions
        # that are stale by the time it gets to them. The event loop never runs a
        # migration itself, nor waits for the interpreter lock while one runs.
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="migrate-tf"
        )
        self.migrations = Migrations(use_process=use_process)
        # Carrying the last analysis over to a newer text, beside the event loop.
        self.carry_executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="migrate-tf-carry"
        )
        self._shown_messages: set[str] = set()

    # Client capabilities ------------------------------------------------------------

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return str(encoding.value if hasattr(encoding, "value") else encoding or "utf-16")

    def _client_resolves_edits(self) -> bool:
        try:
            support = self.client_capabilities.text_document.code_action.resolve_support
        except AttributeError:
            return False
        return bool(support and "edit" in (support.properties or []))

    def _client_document_changes(self) -> bool:
        try:
            return bool(self.client_capabilities.workspace.workspace_edit.document_changes)
        except AttributeError:
            return False

    # Analysis -------------------------------------------------------------------------

    def _path(self, uri: str) -> Path | None:
        if urlparse(uri).scheme != "file":
            return None
        path = to_fs_path(uri)
        return Path(path) if path else None

    def _workspace_root(self) -> Path | None:
        root = self.workspace.root_path
        return Path(root) if root else None

    def schedule(self, uri: str, delay: float, *, notebook: bool = False) -> None:
        """Analyse ``uri`` after ``delay`` seconds unless it changes again first."""
        state = self.states.get(uri)
        if state is None:
            state = self.states[uri] = _DocumentState()
            state.notebook = notebook
        if state.timer is not None:
            state.timer.cancel()
        loop = asyncio.get_running_loop()
        if delay <= 0:
            state.timer = None
            self._start(uri)
        else:
            state.timer = loop.call_later(delay, self._start, uri)

    def _start(self, uri: str) -> asyncio.Future | None:
        state = self.states.get(uri)
        if state is None:
            return None
        state.timer = None
        version = self._current_version(uri)
        if state.analysis is not None and state.analysis.version == version:
            return None
        if state.pending is not None and state.pending_version == version:
            return state.pending
        path = self._path(uri)
        root = self._workspace_root()
        if state.notebook:
            notebook = self.workspace.get_notebook_document(notebook_uri=uri)
            if notebook is None:
                return None
            cells = self.notebook_cells(notebook)
            metadata = notebook.metadata

            def job() -> Any:
                return self.migrations.run(
                    worker.analyse_notebook, cells, path, version, root, metadata
                )
        else:
            text = self.workspace.get_text_document(uri).source

            def job() -> Any:
                return self.migrations.run(worker.analyse_document, text, path, version, root)

        loop = asyncio.get_running_loop()
        # Set before the job is queued: the worker checks it to skip stale versions.
        state.pending_version = version
        future = loop.run_in_executor(self.executor, self._analyse_if_current, uri, version, job)
        state.pending = future
        future.add_done_callback(lambda done: self._finished(uri, version, done))
        return future

    def _analyse_if_current(self, uri: str, version: int | None, job) -> Any:
        """In the worker thread: migrate, unless a newer version was asked for since."""
        state = self.states.get(uri)
        if state is None or state.pending_version != version:
            return None
        return job()

    def _current_version(self, uri: str) -> int | None:
        state = self.states.get(uri)
        if state is not None and state.notebook:
            notebook = self.workspace.get_notebook_document(notebook_uri=uri)
            return notebook.version if notebook is not None else None
        return self.workspace.get_text_document(uri).version

    def notebook_cells(self, notebook: types.NotebookDocument) -> list[Cell]:
        """The cells of a notebook document, in order, with their current text."""
        cells = []
        for cell in notebook.cells:
            document = self.cell_documents.get(cell.document)
            if document is None:
                document = self.workspace.get_text_document(cell.document)
            cells.append(
                Cell(
                    uri=cell.document,
                    text=document.source,
                    version=document.version,
                    code=cell.kind == types.NotebookCellKind.Code,
                    language=document.language_id or "python",
                )
            )
        return cells

    def notebook_of(self, cell_uri: str) -> str | None:
        """The URI of the open notebook document that has the cell ``cell_uri``."""
        notebook = self.workspace.get_notebook_document(cell_uri=cell_uri)
        if notebook is None:
            return None
        state = self.states.get(notebook.uri)
        return notebook.uri if state is not None and state.notebook else None

    def open_cells(self, cells: Any) -> None:
        for item in cells or []:
            self.cell_documents[item.uri] = TextDocument(
                item.uri,
                source=item.text,
                version=item.version,
                language_id=item.language_id,
                sync_kind=types.TextDocumentSyncKind.Incremental,
                position_codec=self.workspace.position_codec,
            )

    def close_cells(self, uris: list[str]) -> None:
        for uri in uris:
            self.cell_documents.pop(uri, None)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def change_cells(self, params: types.DidChangeNotebookDocumentParams) -> None:
        changes = params.change.cells
        if changes is None:
            return
        structure = changes.structure
        if structure is not None:
            self.open_cells(structure.did_open)
        for content in changes.text_content or []:
            document = self.cell_documents.get(content.document.uri)
            if document is None:
                continue
            for change in content.changes:
                document.apply_change(change)
            document.version = content.document.version
        if structure is not None and structure.did_close:
            uris = [item.uri for item in structure.did_close]
            state = self.states.get(params.notebook_document.uri)
            if state is not None:
                state.published.difference_update(uris)
            self.close_cells(uris)

    def _finished(self, uri: str, version: int | None, future: asyncio.Future) -> None:
        state = self.states.get(uri)
        if state is None or future.cancelled():
            return
        if state.pending is future:
            state.pending = None
            state.pending_version = None
        error = future.exception()
        if error is not None:  # a bug: the pipeline itself never raises for bad input
            logger.error("analysis of %s failed: %r", uri, error)
            return
        analysis = future.result()
        if analysis is None:
            return
        if state.analysis is not None and (analysis.version or 0) < (state.analysis.version or 0):
            return  # an older version finished after a newer one
        state.analysis = analysis
        state.construct_cache = {
            key: value
            for key, value in state.construct_cache.items()
            if key[0] == analysis.version
        }
        self.publish(uri, analysis)

    async def analysis_for(self, uri: str) -> Analysis | None:
        """The analysis of the document's current version (waits for it if needed)."""
        state = self.states.get(uri)
        if state is None:
            return None
        while True:
            version = self._current_version(uri)
            if state.analysis is not None and state.analysis.version == version:
                return state.analysis
            if state.timer is not None:
                state.timer.cancel()
                state.timer = None
            future = self._start(uri)
            if future is None:
                if state.analysis is not None and state.analysis.version == version:
                    return state.analysis
                return None
            try:
                await asyncio.shield(future)
            except Exception:  # noqa: BLE001 - logged by _finished
                return None
            if self.states.get(uri) is not state:
                return None

    async def analysis_within(
        self, uri: str, seconds: float
    ) -> Analysis | CarriedAnalysis | None:
        """The analysis of the document's current version if it is ready within
        ``seconds``; else the last finished analysis carried over to the current text
        (the current version's analysis goes on and publishes its diagnostics)."""
        state = self.states.get(uri)
        if state is None or state.notebook:
            return await self.analysis_for(uri)
        version = self._current_version(uri)
        previous = state.analysis
        if previous is None or previous.version == version:
            return await self.analysis_for(uri)
        loop = asyncio.get_running_loop()
        carried = state.carried
        if (
            carried is None
            or carried.version != version
            or carried.analysed_version != previous.version
        ):
            # Worked out while the analysis may still arrive in time (tokenizing the
            # text for "Ignore" edits is most of it).
            text = self.workspace.get_text_document(uri).source
            carrying = loop.run_in_executor(self.carry_executor, _carry, previous, text, version)
        else:
            carrying = None
        waiting = asyncio.ensure_future(self.analysis_for(uri))
        try:
            return await asyncio.wait_for(asyncio.shield(waiting), max(seconds, 0))
        except asyncio.TimeoutError:
            pass
        if carrying is not None:
            carried = state.carried = await carrying
        if self.states.get(uri) is not state:
            return None
        return carried

    # Diagnostics --------------------------------------------------------------------------

    def _range(self, analysis: Analysis, span: CodeRange) -> types.Range:
        text = analysis.lines
        start = text.to_client(span.line - 1, span.column - 1, self.encoding)
        end = text.to_client(span.end_line - 1, span.end_column - 1, self.encoding)
        return types.Range(
            start=types.Position(line=start[0], character=start[1]),
            end=types.Position(line=end[0], character=end[1]),
        )

    def _edit_range(self, analysis: Analysis, edit: Edit) -> types.Range:
        text = analysis.lines
        start = text.to_client(*edit.start, self.encoding)
        end = text.to_client(*edit.end, self.encoding)
        return types.Range(
            start=types.Position(line=start[0], character=start[1]),
            end=types.Position(line=end[0], character=end[1]),
        )

    def conversion_diagnostic(self, analysis: Analysis, conversion: Conversion) -> types.Diagnostic:
        span = conversion_span(conversion) or CodeRange(conversion.line, 1, conversion.line, 1)
        return types.Diagnostic(
            range=self._range(analysis, span),
            message=conversion_message(conversion),
            severity=types.DiagnosticSeverity.Information,
            code=conversion.code,
            source=SOURCE,
            data={"kind": "conversion", "code": conversion.code, "line": conversion.line},
        )

    def finding_diagnostic(self, analysis: Analysis, finding: Finding) -> types.Diagnostic:
        span = finding.range or CodeRange(finding.line, finding.column, finding.line, finding.column)
        return types.Diagnostic(
            range=self._range(analysis, span),
            message=finding.message,
            severity=types.DiagnosticSeverity.Warning,
            code=finding.code,
            source=SOURCE,
            data={"kind": "finding", "code": finding.code, "line": finding.line},
        )

    def diagnostics(self, analysis: Analysis) -> list[types.Diagnostic]:
        if analysis.config_error is not None:
            self._show_once(analysis.config_error, types.MessageType.Error)
            return []
        if analysis.excluded:
            return []
        error = analysis.error
        if error is not None:
            if error.startswith("cannot parse"):
                return []
            return [
                types.Diagnostic(
                    range=types.Range(
                        start=types.Position(line=0, character=0),
                        end=types.Position(line=0, character=0),
                    ),
                    message=f"migrate-tf cannot migrate this file: {error}",
                    severity=types.DiagnosticSeverity.Error,
                    source=SOURCE,
                )
            ]
        found = [self.conversion_diagnostic(analysis, c) for c in analysis.conversions]
        found += [self.finding_diagnostic(analysis, f) for f in analysis.findings]
        return found

    def publish(self, uri: str, analysis: Analysis | CellsAnalysis) -> None:
        if isinstance(analysis, CellsAnalysis):
            self.publish_cells(uri, analysis)
            return
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=self.diagnostics(analysis), version=analysis.version
            )
        )

    # Notebook documents: diagnostics on the cells ----------------------------------------

    def cell_range(self, analysis: CellsAnalysis, position: int, span: CodeRange) -> types.Range:
        text = analysis.lines(position)
        start = text.to_client(span.line - 1, span.column - 1, self.encoding)
        end = text.to_client(span.end_line - 1, span.end_column - 1, self.encoding)
        return types.Range(
            start=types.Position(line=start[0], character=start[1]),
            end=types.Position(line=end[0], character=end[1]),
        )

    def cell_diagnostic(self, analysis: CellsAnalysis, placed: Placed) -> types.Diagnostic:
        item = placed.item
        kind = "conversion" if isinstance(item, Conversion) else "finding"
        return types.Diagnostic(
            range=self.cell_range(analysis, placed.cell, placed.span),
            message=conversion_message(item) if isinstance(item, Conversion) else item.message,
            severity=types.DiagnosticSeverity.Information
            if isinstance(item, Conversion)
            else types.DiagnosticSeverity.Warning,
            code=item.code,
            source=SOURCE,
            data={"kind": kind, "code": item.code, "line": placed.span.line},
        )

    def cells_diagnostics(self, analysis: CellsAnalysis) -> dict[int, list[types.Diagnostic]]:
        """The diagnostics of each cell (by its position in the notebook)."""
        if analysis.config_error is not None:
            self._show_once(analysis.config_error, types.MessageType.Error)
            return {}
        if analysis.excluded:
            return {}
        error = analysis.error
        if error is not None:
            if error.startswith("cannot parse"):
                return {}  # the editor's Python support shows syntax errors in cells
            code_cells = [n for n, cell in enumerate(analysis.cells) if cell.code]
            named = re.search(r"\bcell (\d+)\b", error)
            position = int(named.group(1)) - 1 if named else None
            if position not in code_cells:
                position = code_cells[0] if code_cells else None
            if position is None:
                return {}
            return {
                position: [
                    types.Diagnostic(
                        range=types.Range(
                            start=types.Position(line=0, character=0),
                            end=types.Position(line=0, character=0),
                        ),
                        message=f"migrate-tf cannot migrate this notebook: {error}",
                        severity=types.DiagnosticSeverity.Error,
                        source=SOURCE,
                    )
                ]
            }
        found: dict[int, list[types.Diagnostic]] = {}
        for placed in analysis.placed():
            found.setdefault(placed.cell, []).append(self.cell_diagnostic(analysis, placed))
        return found

    def publish_cells(self, uri: str, analysis: CellsAnalysis) -> None:
        """Publish on every code cell of the notebook ``uri`` (none left: an empty list),
        and clear the cells that are no longer in it."""
        state = self.states.get(uri)
        found = self.cells_diagnostics(analysis)
        published: set[str] = set()
        for position, cell in enumerate(analysis.cells):
            if not cell.code and position not in found:
                continue
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=cell.uri, diagnostics=found.get(position, []), version=cell.version
                )
            )
            published.add(cell.uri)
        if state is not None:
            for stale in sorted(state.published - published):
                self.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(uri=stale, diagnostics=[])
                )
            state.published = published

    def _show_once(self, message: str, kind: types.MessageType) -> None:
        if message in self._shown_messages:
            return
        self._shown_messages.add(message)
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    # Code actions -------------------------------------------------------------------------

    def workspace_edit(self, uri: str, analysis: Analysis, edits: list[Edit]) -> types.WorkspaceEdit:
        text_edits = [
            types.TextEdit(range=self._edit_range(analysis, edit), new_text=edit.text)
            for edit in edits
        ]
        if self._client_document_changes():
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(
                        text_document=types.OptionalVersionedTextDocumentIdentifier(
                            uri=uri, version=analysis.version
                        ),
                        edits=text_edits,
                    )
                ]
            )
        return types.WorkspaceEdit(changes={uri: text_edits})

    def construct_edits(self, uri: str, analysis: Analysis, conversion: Conversion) -> list[Edit] | None:
        """Cached :meth:`Analysis.construct_edits` (call from the worker thread)."""
        state = self.states.get(uri)
        key = (analysis.version, conversion.code, conversion.line)
        if state is not None and key in state.construct_cache:
            return state.construct_cache[key]
        edits = self.migrations.run(worker.construct_edits, analysis, conversion)
        if state is not None:
            state.construct_cache[key] = edits
        return edits

    def cells_workspace_edit(self, analysis: CellsAnalysis, edits: CellEdits) -> types.WorkspaceEdit:
        """A workspace edit with the edits of every cell that changes."""
        per_cell = []
        for position in sorted(edits):
            text = analysis.lines(position)
            text_edits = []
            for edit in edits[position]:
                start = text.to_client(*edit.start, self.encoding)
                end = text.to_client(*edit.end, self.encoding)
                text_edits.append(
                    types.TextEdit(
                        range=types.Range(
                            start=types.Position(line=start[0], character=start[1]),
                            end=types.Position(line=end[0], character=end[1]),
                        ),
                        new_text=edit.text,
                    )
                )
            per_cell.append((analysis.cells[position], text_edits))
        if self._client_document_changes():
            return types.WorkspaceEdit(
                document_changes=[
                    types.TextDocumentEdit(
                        text_document=types.OptionalVersionedTextDocumentIdentifier(
                            uri=cell.uri, version=cell.version
                        ),
                        edits=text_edits,
                    )
                    for cell, text_edits in per_cell
                ]
            )
        return types.WorkspaceEdit(changes={cell.uri: text_edits for cell, text_edits in per_cell})

    async def cell_code_actions(
        self, params: types.CodeActionParams, notebook_uri: str
    ) -> list[types.CodeAction]:
        """The code actions of :meth:`code_actions`, on a cell of a notebook document."""
        uri = params.text_document.uri
        analysis = await self.analysis_for(notebook_uri)
        if (
            not isinstance(analysis, CellsAnalysis)
            or analysis.excluded
            or analysis.config_error
            or analysis.error
        ):
            return []
        position = analysis.position(uri)
        if position is None:
            return []
        only = params.context.only
        text = analysis.lines(position)
        start = text.from_client(params.range.start.line, params.range.start.character, self.encoding)
        end = text.from_client(params.range.end.line, params.range.end.character, self.encoding)
        here = [placed for placed in analysis.placed() if placed.cell == position]
        actions: list[types.CodeAction] = []

        if _wanted(QUICKFIX_KIND, only):
            resolve = self._client_resolves_edits()
            for placed in here:
                conversion = placed.item
                if not isinstance(conversion, Conversion):
                    continue
                if not _touches(placed.extent, placed.extent.line, start, end):
                    continue
                title = _construct_title(conversion)
                data = {
                    "uri": uri,
                    "notebook": notebook_uri,
                    "version": analysis.version,
                    "code": conversion.code,
                    "line": conversion.line,
                    "old": conversion.old,
                }
                actions.append(
                    types.CodeAction(
                        title=title,
                        kind=QUICKFIX_KIND,
                        diagnostics=[self.cell_diagnostic(analysis, placed)],
                        is_preferred=True,
                        data=data if resolve else None,
                        command=None
                        if resolve
                        else types.Command(title=title, command=MIGRATE_COMMAND, arguments=[data]),
                    )
                )
            for placed in here:
                if not _touches(placed.span, placed.span.line, start, end):
                    continue
                code = placed.item.code
                edits = analysis.ignore_edits(position, placed.span.line, code)
                if not edits:
                    continue
                actions.append(
                    types.CodeAction(
                        title=f"Ignore {code} with `# migrate-tf: ignore[{code}]`",
                        kind=QUICKFIX_KIND,
                        diagnostics=[self.cell_diagnostic(analysis, placed)],
                        edit=self.cells_workspace_edit(analysis, edits),
                    )
                )
        if analysis.changed and _wanted(FIX_ALL_KIND, only):
            actions.append(
                types.CodeAction(
                    title="Migrate all in file (migrate-tf)",
                    kind=FIX_ALL_KIND,
                    edit=self.cells_workspace_edit(analysis, analysis.fix_all_edits()),
                )
            )
        return actions

    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        notebook_uri = self.notebook_of(uri)
        if notebook_uri is not None:
            return await self.cell_code_actions(params, notebook_uri)
        only = params.context.only
        if only and not _wanted(QUICKFIX_KIND, only):
            # Source actions asked for by kind (as on save) are for this version.
            analysis = await self.analysis_for(uri)
        else:
            analysis = await self.analysis_within(uri, self.action_wait)
        if analysis is None or analysis.excluded or analysis.config_error or analysis.error:
            return []
        text = analysis.lines
        start = text.from_client(params.range.start.line, params.range.start.character, self.encoding)
        end = text.from_client(params.range.end.line, params.range.end.character, self.encoding)
        actions: list[types.CodeAction] = []

        if _wanted(QUICKFIX_KIND, only):
            resolve = self._client_resolves_edits()
            for conversion in analysis.conversions:
                if not _touches(conversion.range or conversion_span(conversion), conversion.line, start, end):
                    continue
                diagnostic = self.conversion_diagnostic(analysis, conversion)
                title = _construct_title(conversion)
                data = {
                    "uri": uri,
                    "version": analysis.version,
                    "code": conversion.code,
                    "line": conversion.line,
                    "old": conversion.old,
                }
                # The edit costs a run of the pipeline: computed only when the action
                # is chosen, in codeAction/resolve or, for clients that cannot
                # resolve, in a command that sends it with workspace/applyEdit.
                actions.append(
                    types.CodeAction(
                        title=title,
                        kind=QUICKFIX_KIND,
                        diagnostics=[diagnostic],
                        is_preferred=True,
                        data=data if resolve else None,
                        command=None
                        if resolve
                        else types.Command(title=title, command=MIGRATE_COMMAND, arguments=[data]),
                    )
                )
            for diagnostic_line, code, diagnostic in self._ignorable(analysis, start, end):
                edit = analysis.ignore_edit(diagnostic_line, code)
                if edit is None:
                    continue
                actions.append(
                    types.CodeAction(
                        title=f"Ignore {code} with `# migrate-tf: ignore[{code}]`",
                        kind=QUICKFIX_KIND,
                        diagnostics=[diagnostic],
                        edit=self.workspace_edit(uri, analysis, [edit]),
                    )
                )
        if analysis.changed and _wanted(FIX_ALL_KIND, only):
            actions.append(self.fix_all_action(uri, analysis))
        return actions

    def fix_all_action(self, uri: str, analysis: Analysis | CarriedAnalysis) -> types.CodeAction:
        """"Migrate all in file": with its edit when ``analysis`` is the current
        version's; else resolved (or, for clients that cannot resolve, a command) once
        that version's analysis is there."""
        title = "Migrate all in file (migrate-tf)"
        if isinstance(analysis, Analysis):
            return types.CodeAction(
                title=title,
                kind=FIX_ALL_KIND,
                edit=self.workspace_edit(uri, analysis, analysis.fix_all_edits()),
            )
        data = {"uri": uri, "version": analysis.version, "fix_all": True}
        if self._client_resolves_edits():
            return types.CodeAction(title=title, kind=FIX_ALL_KIND, data=data)
        return types.CodeAction(
            title=title,
            kind=FIX_ALL_KIND,
            command=types.Command(title=title, command=MIGRATE_ALL_COMMAND, arguments=[data]),
        )

    async def fix_all_workspace_edit(self, data: dict) -> types.WorkspaceEdit | None:
        """The edit of "Migrate all in file" for the document's current version."""
        uri = data.get("uri")
        if not isinstance(uri, str):
            return None
        analysis = await self.analysis_for(uri)
        if not isinstance(analysis, Analysis) or analysis.error or not analysis.changed:
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Info,
                    message="migrate-tf: nothing to migrate in this version of the file",
                )
            )
            return None
        return self.workspace_edit(uri, analysis, analysis.fix_all_edits())

    def _ignorable(self, analysis: Analysis, start, end):
        """(line for the comment, code, diagnostic) of each diagnostic in the range."""
        for conversion in analysis.conversions:
            span = conversion_span(conversion)  # the diagnostic's range: the name
            if not _touches(span, conversion.line, start, end):
                continue
            line = span.line if span is not None else conversion.line
            yield line, conversion.code, self.conversion_diagnostic(analysis, conversion)
        for finding in analysis.findings:
            if not _touches(finding.range, finding.line, start, end):
                continue
            yield finding.line, finding.code, self.finding_diagnostic(analysis, finding)

    async def construct_workspace_edit(self, data: dict) -> types.WorkspaceEdit | None:
        """The edit of a "Migrate `name`" action (see :meth:`code_actions`)."""
        uri = data.get("uri")
        if not isinstance(uri, str):
            return None
        notebook_uri = data.get("notebook")
        # A cell's action: the notebook document is what was analysed.
        target = notebook_uri if isinstance(notebook_uri, str) else uri
        analysis = await self.analysis_for(target)
        if analysis is None:
            return None
        same_version = analysis.version == data.get("version")
        conversion = next(
            (
                c
                for c in analysis.conversions
                if c.code == data.get("code")
                and (c.line == data.get("line") if same_version else c.old == data.get("old"))
            ),
            None,
        )
        if conversion is None:
            self._show_once(
                f"migrate-tf: `{data.get('old')}` is no longer convertible", types.MessageType.Info
            )
            return None
        edits = await asyncio.get_running_loop().run_in_executor(
            self.executor, self.construct_edits, target, analysis, conversion
        )
        if edits is None:
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Info,
                    message=(
                        f"migrate-tf: `{conversion.old}` converts only together with other "
                        "code of this file; use \"Migrate all in file\""
                    ),
                )
            )
            return None
        if isinstance(analysis, CellsAnalysis):
            return self.cells_workspace_edit(analysis, edits)
        return self.workspace_edit(uri, analysis, edits)

    async def action_edit(self, data: dict) -> types.WorkspaceEdit | None:
        """The edit of an action whose edit waits until it is chosen (see
        :meth:`code_actions`): "Migrate all in file" or "Migrate `name`"."""
        if data.get("fix_all"):
            return await self.fix_all_workspace_edit(data)
        return await self.construct_workspace_edit(data)

    async def resolve_code_action(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else None
        if not data or action.edit is not None:
            return action
        edit = await self.action_edit(data)
        if edit is not None:
            action.edit = edit
        return action

    async def action_command(self, data: Any) -> None:
        """The command of such an action, for clients that cannot resolve: the edit is
        sent with ``workspace/applyEdit``."""
        if not isinstance(data, dict):
            return None
        edit = await self.action_edit(data)
        if edit is not None:
            label = "Migrate all in file" if data.get("fix_all") else f"Migrate `{data.get('old')}`"
            await self.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label=label)
            )
        return None

    def reanalyse_all(self) -> None:
        """Analyse every open document again (the configuration may have changed)."""
        self._shown_messages.clear()
        for uri, state in list(self.states.items()):
            state.analysis = None
            state.carried = None
            state.construct_cache.clear()
            self.schedule(uri, 0)

    def forget(self, uri: str) -> None:
        state = self.states.pop(uri, None)
        if state is not None and state.timer is not None:
            state.timer.cancel()


def _carry(analysis: Analysis, text: str, version: int | None) -> CarriedAnalysis:
    carried = analysis.carried_to(text, version)
    carried.warm()
    return carried


def _wanted(kind: str, only) -> bool:
    """Whether ``kind`` is asked for by the ``only`` filter (LSP kinds are hierarchical)."""
    if not only:
        return True
    for wanted in only:
        wanted = str(getattr(wanted, "value", wanted))
        if kind == wanted or kind.startswith(wanted + "."):
            return True
    return False


def _touches(span: CodeRange | None, line: int, start: tuple[int, int], end: tuple[int, int]) -> bool:
    """Whether a 1-based span (or, without one, a line) meets the 0-based [start, end]."""
    if span is None:
        return start[0] <= line - 1 <= end[0]
    first = (span.line - 1, span.column - 1)
    last = (span.end_line - 1, span.end_column - 1)
    return first <= end and start <= last


def _construct_title(conversion: Conversion) -> str:
    if conversion.kind == "function-to-layer":
        return f"Migrate `{conversion.old}` to a Keras layer ({conversion.code})"
    if conversion.kind == "layer-class":
        return f"Migrate the layer `{conversion.old}` to Keras 3 ({conversion.code})"
    return f"Migrate `{conversion.old}` ({conversion.code})"


def create_server(
    debounce: float = DEBOUNCE_SECONDS, action_wait: float = ACTION_WAIT_SECONDS
) -> MigrateTfServer:
    server = MigrateTfServer(debounce=debounce, action_wait=action_wait)

    @server.feature(types.INITIALIZE)
    def initialize(ls: MigrateTfServer, params: types.InitializeParams) -> None:
        ls.migrations.start()  # its imports happen while the client sets up
        options = params.initialization_options
        wait = options.get("codeActionWaitSeconds") if isinstance(options, dict) else None
        if isinstance(wait, (int, float)) and not isinstance(wait, bool) and wait >= 0:
            ls.action_wait = float(wait)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MigrateTfServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MigrateTfServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)

    # Notebook documents (pygls has put the notebook into, or updated it in, its
    # workspace before these run)
    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_did_open(ls: MigrateTfServer, params: types.DidOpenNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        ls.forget(uri)
        ls.open_cells(params.cell_text_documents)
        ls.schedule(uri, 0, notebook=True)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_did_change(
        ls: MigrateTfServer, params: types.DidChangeNotebookDocumentParams
    ) -> None:
        ls.change_cells(params)
        ls.schedule(params.notebook_document.uri, ls.debounce, notebook=True)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_did_save(ls: MigrateTfServer, params: types.DidSaveNotebookDocumentParams) -> None:
        return None  # the cells were analysed when they changed

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(
        ls: MigrateTfServer, params: types.DidCloseNotebookDocumentParams
    ) -> None:
        uri = params.notebook_document.uri
        state = ls.states.get(uri)
        cells = {cell.uri for cell in params.cell_text_documents}
        if state is not None:
            cells |= state.published
        ls.forget(uri)
        ls.close_cells(sorted(cells))

    @server.feature(types.INITIALIZED)
    async def initialized(ls: MigrateTfServer, params: types.InitializedParams) -> None:
        # Ask to hear about pyproject.toml changes: they may change any document's
        # settings. (Without this, a changed configuration applies from each
        # document's next change: the configuration cache checks modification times.)
        try:
            watch = ls.client_capabilities.workspace.did_change_watched_files
            dynamic = bool(watch and watch.dynamic_registration)
        except AttributeError:
            dynamic = False
        if not dynamic:
            return
        try:
            await ls.client_register_capability_async(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="migrate-tf-pyproject",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                watchers=[types.FileSystemWatcher(glob_pattern="**/pyproject.toml")]
                            ),
                        )
                    ]
                )
            )
        except Exception as error:  # noqa: BLE001 - optional; the mtime check remains
            logger.warning("cannot watch pyproject.toml files: %s", error)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files_changed(ls: MigrateTfServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.endswith("pyproject.toml") for change in params.changes):
            ls.reanalyse_all()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MigrateTfServer, params: types.DidSaveTextDocumentParams) -> None:
        if params.text_document.uri.endswith("pyproject.toml"):
            ls.reanalyse_all()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MigrateTfServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[QUICKFIX_KIND, FIX_ALL_KIND],
            resolve_provider=True,
        ),
    )
    async def code_action(ls: MigrateTfServer, params: types.CodeActionParams):
        return await ls.code_actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: MigrateTfServer, action: types.CodeAction):
        return await ls.resolve_code_action(action)

    @server.command(MIGRATE_COMMAND)
    async def migrate_construct(ls: MigrateTfServer, *arguments: Any) -> None:
        await ls.action_command(arguments[0] if arguments else None)

    @server.command(MIGRATE_ALL_COMMAND)
    async def migrate_all(ls: MigrateTfServer, *arguments: Any) -> None:
        await ls.action_command(arguments[0] if arguments else None)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: MigrateTfServer, params: Any) -> None:
        for uri in list(ls.states):
            ls.forget(uri)
        ls.executor.shutdown(wait=False, cancel_futures=True)
        ls.migrations.close()
        ls.carry_executor.shutdown(wait=False, cancel_futures=True)

    return server


def serve(*, tcp: bool = False, host: str = "127.0.0.1", port: int = 2087) -> None:
    """Run the server until the client says exit (stdio) or forever (TCP)."""
    logging.basicConfig(level=logging.WARNING, format="migrate-tf lsp: %(message)s")
    server = create_server()
    if tcp:
        server.start_tcp(host, port)
    else:
        server.start_io()


__all__ = [
    "ACTION_WAIT_SECONDS",
    "DEBOUNCE_SECONDS",
    "FIX_ALL_KIND",
    "MIGRATE_ALL_COMMAND",
    "MIGRATE_COMMAND",
    "MigrateTfServer",
    "create_server",
    "serve",
]
