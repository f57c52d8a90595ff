"""``migrate-tf lsp``: the language server (pygls), over stdio or TCP.

Diagnostics
    On open and on change (debounced: :data:`DEBOUNCE_SECONDS` after the last
    change), each document is migrated in memory in a worker thread, with the
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

Results are cached per document version; a code action for the current version
answers from the cache. Never imports TensorFlow: the pipeline only parses text.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from migrate_tf import __version__
from migrate_tf.engine.sarif import conversion_message
from migrate_tf.lsp.analysis import Analysis, Edit, Projects, analyse, conversion_span
from migrate_tf.rules.base import CodeRange, Conversion, Finding

logger = logging.getLogger("migrate_tf.lsp")

SOURCE = "migrate-tf"
DEBOUNCE_SECONDS = 0.3
FIX_ALL_KIND = "source.fixAll.migrate-tf"
MIGRATE_COMMAND = "migrate-tf.migrateConstruct"
QUICKFIX_KIND = types.CodeActionKind.QuickFix


class _DocumentState:
    """What the server holds for one open document."""

    def __init__(self) -> None:
        self.timer: asyncio.TimerHandle | None = None
        #: the analysis task of the newest version asked for, and that version
        self.pending: asyncio.Future | None = None
        self.pending_version: int | None = None
        self.analysis: Analysis | None = None
        self.construct_cache: dict[tuple[int | None, str, int], list[Edit] | None] = {}


class MigrateTfServer(LanguageServer):
    """A pygls server with one worker thread for migrations."""

    def __init__(self, debounce: float = DEBOUNCE_SECONDS) -> None:
        super().__init__(
            "migrate-tf",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
        )
        self.debounce = debounce
        self.projects = Projects()
        self.states: dict[str, _DocumentState] = {}
        # One thread: migrations are CPU-bound, and a newer version supersedes an
        # older one anyway. The event loop never runs a migration itself.
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="migrate-tf"
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

    def schedule(self, uri: str, delay: float) -> None:
        """Analyse ``uri`` after ``delay`` seconds unless it changes again first."""
        state = self.states.setdefault(uri, _DocumentState())
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
        document = self.workspace.get_text_document(uri)
        version = document.version
        if state.analysis is not None and state.analysis.version == version:
            return None
        if state.pending is not None and state.pending_version == version:
            return state.pending
        text = document.source
        path = self._path(uri)
        root = self._workspace_root()
        loop = asyncio.get_running_loop()
        # Set before the job is queued: the worker checks it to skip stale versions.
        state.pending_version = version
        future = loop.run_in_executor(
            self.executor, self._analyse_if_current, uri, version, text, path, root
        )
        state.pending = future
        future.add_done_callback(lambda done: self._finished(uri, version, done))
        return future

    def _analyse_if_current(
        self, uri: str, version: int | None, text: str, path: Path | None, root: Path | None
    ) -> Analysis | None:
        """In the worker thread: migrate, unless a newer version was asked for since."""
        state = self.states.get(uri)
        if state is None or state.pending_version != version:
            return None
        analysis = analyse(text, path, projects=self.projects, version=version, start=root)
        analysis.warm()
        return analysis

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
        document = self.workspace.get_text_document(uri)
        while True:
            if state.analysis is not None and state.analysis.version == document.version:
                return state.analysis
            if state.timer is not None:
                state.timer.cancel()
                state.timer = None
            future = self._start(uri)
            if future is None:
                if state.analysis is not None and state.analysis.version == document.version:
                    return state.analysis
                return None
            try:
                await asyncio.shield(future)
            except Exception:  # noqa: BLE001 - logged by _finished
                return None
            if self.states.get(uri) is not state:
                return None

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

    def publish(self, uri: str, analysis: Analysis) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=self.diagnostics(analysis), version=analysis.version
            )
        )

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
        edits = analysis.construct_edits(conversion)
        if state is not None:
            state.construct_cache[key] = edits
        return edits

    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        analysis = await self.analysis_for(uri)
        if analysis is None or analysis.excluded or analysis.config_error or analysis.error:
            return []
        only = params.context.only
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
            actions.append(
                types.CodeAction(
                    title="Migrate all in file (migrate-tf)",
                    kind=FIX_ALL_KIND,
                    edit=self.workspace_edit(uri, analysis, analysis.fix_all_edits()),
                )
            )
        return actions

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
        analysis = await self.analysis_for(uri)
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
            self.executor, self.construct_edits, uri, analysis, conversion
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
        return self.workspace_edit(uri, analysis, edits)

    async def resolve_code_action(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else None
        if not data or action.edit is not None:
            return action
        edit = await self.construct_workspace_edit(data)
        if edit is not None:
            action.edit = edit
        return action

    async def migrate_command(self, data: Any) -> None:
        """The command of a "Migrate `name`" action, for clients that cannot resolve."""
        if not isinstance(data, dict):
            return None
        edit = await self.construct_workspace_edit(data)
        if edit is not None:
            await self.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label=f"Migrate `{data.get('old')}`")
            )
        return None

    def reanalyse_all(self) -> None:
        """Analyse every open document again (the configuration may have changed)."""
        self._shown_messages.clear()
        for uri, state in list(self.states.items()):
            state.analysis = None
            state.construct_cache.clear()
            self.schedule(uri, 0)

    def forget(self, uri: str) -> None:
        state = self.states.pop(uri, None)
        if state is not None and state.timer is not None:
            state.timer.cancel()


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


def create_server(debounce: float = DEBOUNCE_SECONDS) -> MigrateTfServer:
    server = MigrateTfServer(debounce=debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MigrateTfServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.states.pop(params.text_document.uri, None)
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MigrateTfServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)

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
        await ls.migrate_command(arguments[0] if arguments else None)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: MigrateTfServer, params: Any) -> None:
        for uri in list(ls.states):
            ls.forget(uri)
        ls.executor.shutdown(wait=False, cancel_futures=True)

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
    "DEBOUNCE_SECONDS",
    "FIX_ALL_KIND",
    "MIGRATE_COMMAND",
    "MigrateTfServer",
    "create_server",
    "serve",
]
