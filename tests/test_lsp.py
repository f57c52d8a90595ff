"""``migrate-tf lsp`` end to end: pygls' own LSP client talks JSON-RPC over stdio to
the real server process (``python -m migrate_tf lsp``).

Two servers are started for the module (one for a client that resolves code actions
lazily, like VS Code and Neovim, one for a client that does not), each on an event
loop in a background thread; each test drives one of them on its own files. Each
project directory has its own ``pyproject.toml``. A fake ``tensorflow`` (and
``keras``) package first on the servers' ``PYTHONPATH`` records any import of it: the
server must never import TensorFlow. Shutting down must end the process with 0.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Union

import pytest

pytest.importorskip("pygls")

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

from migrate_tf.lsp.analysis import Edit, Text, apply_edits  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60

SOURCE = '''\
import tensorflow as tf


def dense(x, units, scope="dense"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1].value, units])
        return tf.matmul(x, w)


def bias(x, scope="bias"):
    with tf.variable_scope(scope):
        b = tf.get_variable("b", [x.get_shape()[-1].value])
        return x + b


class Scale(tf.keras.layers.Layer):
    def __init__(self, size, start, **kwargs):
        super().__init__(**kwargs)
        self.gain = tf.Variable(tf.ones([size]), name="gain")
        label = "é😀"; self.count = tf.Variable(start, trainable=False)

    def call(self, x):
        return x * self.gain
'''

RESOLVING_CLIENT = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
    ),
    text_document=types.TextDocumentClientCapabilities(
        code_action=types.CodeActionClientCapabilities(
            code_action_literal_support=types.ClientCodeActionLiteralOptions(
                code_action_kind=types.ClientCodeActionKindOptions(
                    value_set=["quickfix", "source", "source.fixAll"]
                )
            ),
            resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
            data_support=True,
        ),
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
    ),
)
PLAIN_CLIENT = types.ClientCapabilities()


class Server:
    """A running ``migrate-tf lsp`` and what it sent: diagnostics per URI, messages."""

    def __init__(
        self, root: Path, capabilities: types.ClientCapabilities, options: dict | None = None
    ) -> None:
        self.root = root
        self.capabilities = capabilities
        self.options = options
        self.published: dict[str, list[types.PublishDiagnosticsParams]] = {}
        self.messages: list[str] = []
        self.applied_edits: list[types.ApplyWorkspaceEditParams] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = LanguageClient("migrate-tf-tests", "1")
        self.tf_marker = root / "tensorflow-was-imported"
        self.call(self._start())

    def call(self, coroutine, timeout: float = TIMEOUT):
        """Run ``coroutine`` on the client's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _start(self) -> None:
        fake = self.root / "fake-site"
        for name in ("tensorflow", "keras"):
            (fake / name).mkdir(parents=True, exist_ok=True)
            (fake / name / "__init__.py").write_text(
                f"open({str(self.tf_marker)!r}, 'a').write('{name}\\n')\n"
            )
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(fake), str(REPO_ROOT)])
        self._arrived = asyncio.Condition()

        # lsprotocol's client side reads every code action that has a `command` as a
        # Command; LSP tells them apart by the type of `command` (a string in a Command).
        converter = self.client.protocol._converter

        def command_or_action(value: Any, _: type) -> Any:
            if isinstance(value.get("command"), str):
                return converter.structure(value, types.Command)
            return converter.structure(value, types.CodeAction)

        converter.register_structure_hook(
            Union[types.Command, types.CodeAction], command_or_action
        )

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        async def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            async with self._arrived:
                self.published.setdefault(params.uri, []).append(params)
                self._arrived.notify_all()

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def on_message(params: types.ShowMessageParams) -> None:
            self.messages.append(params.message)

        @self.client.feature(types.WORKSPACE_APPLY_EDIT)
        def on_apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            self.applied_edits.append(params)
            return types.ApplyWorkspaceEditResult(applied=True)

        await self.client.start_io(
            sys.executable, "-m", "migrate_tf", "lsp", cwd=str(self.root), env=env
        )
        result = await self.client.initialize_async(
            types.InitializeParams(
                capabilities=self.capabilities,
                root_uri=self.root.as_uri(),
                process_id=os.getpid(),
                initialization_options=self.options,
            )
        )
        assert result.server_info.name == "migrate-tf"
        options = result.capabilities.code_action_provider
        assert set(options.code_action_kinds) == {"quickfix", "source.fixAll.migrate-tf"}
        assert options.resolve_provider is True
        assert result.capabilities.text_document_sync.change == types.TextDocumentSyncKind.Full
        self.client.initialized(types.InitializedParams())

    def stop(self) -> int | None:
        """Shut down and exit; the server's exit code."""
        process = self.client._server

        async def stop() -> None:
            try:
                await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
                self.client.exit(None)
                await asyncio.wait_for(process.wait(), TIMEOUT)
            finally:
                if process.returncode is None:
                    process.kill()
                await self.client.stop()

        try:
            self.call(stop(), timeout=2 * TIMEOUT)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(TIMEOUT)
        return process.returncode

    # What a test does
    def open(self, path: Path, text: str, version: int = 1) -> str:
        uri = path.as_uri()
        self.loop.call_soon_threadsafe(
            self.client.text_document_did_open,
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=version, text=text
                )
            ),
        )
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.loop.call_soon_threadsafe(
            self.client.text_document_did_change,
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            ),
        )

    def close(self, uri: str) -> None:
        self.loop.call_soon_threadsafe(
            self.client.text_document_did_close,
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)),
        )

    def wait_for(self, uri: str, predicate) -> list[types.PublishDiagnosticsParams]:
        async def wait() -> list[types.PublishDiagnosticsParams]:
            async with self._arrived:
                await self._arrived.wait_for(lambda: predicate(self.published.get(uri, [])))
                return list(self.published[uri])

        return self.call(wait())

    def diagnostics(self, uri: str, version: int) -> list[types.Diagnostic]:
        """The diagnostics published for ``version`` of ``uri`` (waits for them)."""
        published = self.wait_for(uri, lambda ps: any(p.version == version for p in ps))
        return list(next(p for p in published if p.version == version).diagnostics)

    def code_actions(
        self, uri: str, line: int, character: int = 0, *, only: list[str] | None = None
    ) -> list[types.CodeAction]:
        position = types.Position(line=line, character=character)
        result = self.call(
            self.client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    range=types.Range(start=position, end=position),
                    context=types.CodeActionContext(diagnostics=[], only=only),
                )
            )
        )
        return list(result or [])

    def resolve(self, action: types.CodeAction) -> types.CodeAction:
        return self.call(self.client.code_action_resolve_async(action))

    def execute(self, command: types.Command) -> None:
        """Run a code action's command, as a client does when the action is chosen."""
        self.call(
            self.client.workspace_execute_command_async(
                types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
            )
        )


def text_edits(action: types.CodeAction, uri: str) -> tuple[list[types.TextEdit], Any]:
    """The TextEdits of a code action for ``uri``, and the version they are for."""
    edit = action.edit
    assert edit is not None, action.title
    if edit.document_changes:
        [change] = edit.document_changes
        assert change.text_document.uri == uri
        return list(change.edits), change.text_document.version
    return list(edit.changes[uri]), None


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP TextEdits (UTF-16 positions) the way a client does."""
    lines = Text(text)
    converted = [
        Edit(
            lines.from_client(e.range.start.line, e.range.start.character, "utf-16"),
            lines.from_client(e.range.end.line, e.range.end.character, "utf-16"),
            e.new_text,
        )
        for e in edits
    ]
    return apply_edits(text, converted)


def by_code(diagnostics: list[types.Diagnostic]) -> dict[str, list[types.Diagnostic]]:
    grouped: dict[str, list[types.Diagnostic]] = {}
    for diagnostic in diagnostics:
        grouped.setdefault(diagnostic.code, []).append(diagnostic)
    return grouped


def make_project(root: Path, name: str, config: str = "") -> Path:
    directory = root / name
    (directory / "pkg").mkdir(parents=True, exist_ok=True)
    (directory / "pyproject.toml").write_text(f"[tool.migrate-tf]\n{config}")
    return directory


def start(tmp_path_factory, capabilities, options: dict | None = None) -> Server:
    root = tmp_path_factory.mktemp("lsp")
    return Server(root, capabilities, options)


def finish(server: Server) -> None:
    code = server.stop()
    assert code == 0
    assert not server.tf_marker.exists(), (
        f"the server imported {server.tf_marker.read_text().split()}"
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start(tmp_path_factory, RESOLVING_CLIENT)
    yield running
    finish(running)


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory):
    running = start(tmp_path_factory, PLAIN_CLIENT)
    yield running
    finish(running)


#: Code actions never wait for an analysis that is not finished (the default waits
#: up to 0.1 s, which a small file's analysis may or may not need on a busy machine).
NO_WAIT = {"codeActionWaitSeconds": 0}


@pytest.fixture(scope="module")
def impatient_server(tmp_path_factory):
    running = start(tmp_path_factory, RESOLVING_CLIENT, NO_WAIT)
    yield running
    finish(running)


@pytest.fixture(scope="module")
def impatient_plain_server(tmp_path_factory):
    running = start(tmp_path_factory, PLAIN_CLIENT, NO_WAIT)
    yield running
    finish(running)


def apply_with_the_cli(*paths: Path) -> None:
    """Run `migrate-tf apply` on ``paths``, in a process of its own."""
    subprocess.run(
        [sys.executable, "-m", "migrate_tf", "apply", "--quiet", *map(str, paths)],
        check=True, cwd=paths[0].parent,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


# ------------------------------------------------------------------------------------


def test_diagnostics_on_open_and_fix_all_is_byte_for_byte_what_apply_writes(server):
    project = make_project(server.root, "fixall")
    lf = project / "pkg" / "ops.py"
    crlf = project / "pkg" / "crlf.py"
    texts = {lf: SOURCE, crlf: SOURCE.replace("\n", "\r\n")}
    fixed = {}
    for path, text in texts.items():
        path.write_bytes(text.encode("utf-8"))
        uri = server.open(path, text)
        diagnostics = server.diagnostics(uri, 1)
        assert all(d.source == "migrate-tf" for d in diagnostics)
        conversions = sorted(
            (d.range.start.line, d.range.start.character, d.range.end.character, d.code, d.message)
            for d in diagnostics
            if d.severity == types.DiagnosticSeverity.Information
        )
        assert conversions == [
            (3, 4, 9, "MTF101", "`dense` can become the Keras layer `Dense`"),
            (9, 4, 8, "MTF101", "`bias` can become the Keras layer `Bias`"),
            (15, 6, 11, "MTF201", "the layer `Scale` can be rewritten for Keras 3"),
        ]
        [finding] = [d for d in diagnostics if d.severity == types.DiagnosticSeverity.Warning]
        assert finding.code == "MTF201" and "tf.Variable" in finding.message
        # The range is in UTF-16 code units: the "😀" before it counts twice.
        line = SOURCE.splitlines()[finding.range.start.line]
        assert finding.range.start.line == finding.range.end.line == 19
        assert finding.range.start.character == line.index("tf.Variable(start") + 1
        assert finding.range.end.character == len(line) + 1

        [fix_all] = server.code_actions(uri, 0, only=["source.fixAll"])
        assert fix_all.kind == "source.fixAll.migrate-tf"
        edits, version = text_edits(fix_all, uri)
        assert version == 1
        fixed[path] = apply(text, edits)

    apply_with_the_cli(lf, crlf)
    for path, text in texts.items():
        written = path.read_bytes()
        assert written != text.encode("utf-8")
        assert fixed[path].encode("utf-8") == written
    assert b"\r\n" in crlf.read_bytes() and b"\n" not in crlf.read_bytes().replace(b"\r\n", b"")


def test_migrating_one_construct_then_ignoring_the_rest(server):
    path = make_project(server.root, "one") / "pkg" / "ops.py"
    uri = server.open(path, SOURCE)
    server.diagnostics(uri, 1)

    # On the name of `dense`: the actions of its diagnostic.
    actions = server.code_actions(uri, 3, 6)
    assert [action.title for action in actions] == [
        "Migrate `dense` to a Keras layer (MTF101)",
        "Ignore MTF101 with `# migrate-tf: ignore[MTF101]`",
        "Migrate all in file (migrate-tf)",
    ]
    # Anywhere inside the function, it can be migrated too.
    actions = server.code_actions(uri, 5, 12)
    assert [action.title for action in actions] == [
        "Migrate `dense` to a Keras layer (MTF101)",
        "Migrate all in file (migrate-tf)",
    ]
    migrate = actions[0]
    assert migrate.kind == "quickfix" and migrate.is_preferred
    assert migrate.edit is None  # this client resolves edits when one is chosen
    edits, version = text_edits(server.resolve(migrate), uri)
    assert version == 1
    text = apply(SOURCE, edits)
    assert "class Dense(keras.layers.Layer):" in text
    assert "import keras\n" in text
    assert 'def bias(x, scope="bias"):' in text
    # Minimal: the import and the function; nothing after the function is touched.
    assert max(edit.range.end.line for edit in edits) <= 7

    server.change(uri, text, 2)
    diagnostics = by_code(server.diagnostics(uri, 2))
    assert [d.message for d in diagnostics["MTF101"]] == ["`bias` can become the Keras layer `Bias`"]

    # Ignore the finding under the cursor, then the conversion of `bias`.
    [finding] = [d for d in diagnostics["MTF201"] if d.severity == types.DiagnosticSeverity.Warning]
    actions = server.code_actions(uri, finding.range.start.line, finding.range.start.character)
    [ignore] = [a for a in actions if a.title.startswith("Ignore")]
    assert ignore.title == "Ignore MTF201 with `# migrate-tf: ignore[MTF201]`"
    assert ignore.diagnostics[0].message == finding.message
    text = apply(text, text_edits(ignore, uri)[0])
    assert (
        'label = "é😀"; self.count = tf.Variable(start, trainable=False)'
        "  # migrate-tf: ignore[MTF201]\n"
    ) in text

    [bias] = diagnostics["MTF101"]
    actions = server.code_actions(uri, bias.range.start.line, bias.range.start.character)
    [ignore] = [a for a in actions if a.title.startswith("Ignore")]
    text = apply(text, text_edits(ignore, uri)[0])
    assert 'def bias(x, scope="bias"):  # migrate-tf: ignore[MTF101]\n' in text

    server.change(uri, text, 3)
    assert [(d.code, d.message) for d in server.diagnostics(uri, 3)] == [
        ("MTF201", "the layer `Scale` can be rewritten for Keras 3")
    ]


def test_changes_are_debounced_and_the_project_configuration_applies(server):
    path = make_project(server.root, "no101", 'ignore = ["MTF101"]\n') / "pkg" / "ops.py"
    uri = server.open(path, "x = 1\n")
    assert server.diagnostics(uri, 1) == []
    # Five quick changes: one analysis, of the last version.
    for version in range(2, 7):
        server.change(uri, SOURCE if version == 6 else f"x = {version}\n", version)
    assert {d.code for d in server.diagnostics(uri, 6)} == {"MTF201"}  # MTF101 is ignored
    assert [p.version for p in server.published[uri]] == [1, 6]

    # A code action right after a change: that version's analysis, or (if it takes
    # longer than the server waits) the last one carried over; the edits are this
    # version's either way.
    renamed = SOURCE.replace("self.gain", "self.scale")
    server.change(uri, renamed, 7)
    actions = server.code_actions(uri, 15, 8)
    assert [a.title for a in actions] == [
        "Migrate the layer `Scale` to Keras 3 (MTF201)",
        "Ignore MTF201 with `# migrate-tf: ignore[MTF201]`",
        "Migrate all in file (migrate-tf)",
    ]
    assert text_edits(actions[1], uri)[0][0].new_text == "  # migrate-tf: ignore[MTF201]"
    resolved = server.resolve(actions[0])
    assert "self.scale = self.add_weight(" in apply(renamed, text_edits(resolved, uri)[0])


def test_excluded_unparsable_and_closed_documents(server):
    project = make_project(server.root, "excluded", 'exclude = ["legacy"]\n')
    uri = server.open(project / "legacy" / "old.py", SOURCE)
    assert server.diagnostics(uri, 1) == []
    assert server.code_actions(uri, 3, 5) == []

    other = server.open(project / "pkg" / "ops.py", SOURCE)
    assert len(server.diagnostics(other, 1)) == 4
    server.change(other, SOURCE + "v = tf.Variable(\n", 2)
    assert server.diagnostics(other, 2) == []  # while it does not parse
    server.close(other)
    server.wait_for(other, lambda ps: ps[-1].version is None and not ps[-1].diagnostics)


def test_bad_configuration_is_shown_once(server):
    project = make_project(server.root, "bad", 'select = ["MTF999"]\n')
    uri = server.open(project / "pkg" / "ops.py", SOURCE)
    assert server.diagnostics(uri, 1) == []
    server.change(uri, SOURCE + "\n", 2)
    assert server.diagnostics(uri, 2) == []
    assert len([m for m in server.messages if "MTF999" in m]) == 1

    # The configuration is fixed: a watched-file notification re-checks open buffers.
    (project / "pyproject.toml").write_text('[tool.migrate-tf]\nselect = ["MTF1"]\n')
    count = len(server.published[uri])
    server.loop.call_soon_threadsafe(
        server.client.workspace_did_change_watched_files,
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(
                    uri=(project / "pyproject.toml").as_uri(), type=types.FileChangeType.Changed
                )
            ]
        ),
    )
    published = server.wait_for(uri, lambda ps: len(ps) > count)
    assert published[-1].version == 2
    assert {d.code for d in published[-1].diagnostics} == {"MTF101"}


def test_a_client_without_resolve_gets_a_command_that_applies_the_edit(plain_server):
    server = plain_server
    path = make_project(server.root, "plain") / "pkg" / "ops.py"
    uri = server.open(path, SOURCE)
    server.diagnostics(uri, 1)
    actions = server.code_actions(uri, 9, 6)
    assert [a.title for a in actions] == [
        "Migrate `bias` to a Keras layer (MTF101)",
        "Ignore MTF101 with `# migrate-tf: ignore[MTF101]`",
        "Migrate all in file (migrate-tf)",
    ]
    migrate, ignore, fix_all = actions
    # Cheap edits come at once, as plain `changes` (no documentChanges support).
    for action in (ignore, fix_all):
        assert action.edit.changes and not action.edit.document_changes
    # The expensive one is a command: the server then asks the client to apply it.
    assert migrate.edit is None
    assert migrate.command.command == "migrate-tf.migrateConstruct"
    server.execute(migrate.command)
    [applied] = server.applied_edits
    text = apply(SOURCE, applied.edit.changes[uri])
    assert "class Bias(keras.layers.Layer):" in text and "def dense(" in text


def test_code_actions_after_a_change_answer_from_the_last_analysis(impatient_server):
    server = impatient_server
    path = make_project(server.root, "carried") / "pkg" / "ops.py"
    uri = server.open(path, SOURCE)
    server.diagnostics(uri, 1)

    # Two lines above everything: the actions come at once, from version 1's
    # analysis, with `bias` where it now is; their edits are version 2's.
    text = "# Layers.\n\n" + SOURCE
    server.change(uri, text, 2)
    actions = server.code_actions(uri, 11, 6)
    assert [a.title for a in actions] == [
        "Migrate `bias` to a Keras layer (MTF101)",
        "Ignore MTF101 with `# migrate-tf: ignore[MTF101]`",
        "Migrate all in file (migrate-tf)",
    ]
    migrate, ignore, fix_all = actions
    assert migrate.diagnostics[0].range.start == types.Position(line=11, character=4)
    edits, version = text_edits(ignore, uri)
    assert version == 2
    assert 'def bias(x, scope="bias"):  # migrate-tf: ignore[MTF101]\n' in apply(text, edits)
    assert fix_all.edit is None  # resolved against version 2's analysis
    edits, version = text_edits(server.resolve(fix_all), uri)
    assert version == 2
    migrated = apply(text, edits)
    assert migrated.startswith("# Layers.\n\nimport keras\n") and "class Bias(" in migrated
    edits, version = text_edits(server.resolve(migrate), uri)
    assert version == 2
    alone = apply(text, edits)
    assert "class Bias(keras.layers.Layer):" in alone and 'def dense(x, units, scope="dense"):' in alone

    # Asked for by kind (as on save), "Migrate all" waits for the current version.
    server.change(uri, text + "\n", 3)
    [fix_all] = server.code_actions(uri, 0, only=["source.fixAll"])
    edits, version = text_edits(fix_all, uri)
    assert version == 3 and apply(text + "\n", edits) == migrated + "\n"

    # An edit inside `bias`: its action waits for the new analysis, `dense` does not.
    edited = text.replace("        return x + b\n", "        return b + x\n")
    server.change(uri, edited, 4)
    assert [a.title for a in server.code_actions(uri, 11, 6)] == [
        "Migrate all in file (migrate-tf)"
    ]
    assert server.code_actions(uri, 5, 6)[0].title == "Migrate `dense` to a Keras layer (MTF101)"
    # Once it is there, the action is back.
    assert len(server.diagnostics(uri, 4)) == 4
    assert server.code_actions(uri, 11, 6)[0].title == "Migrate `bias` to a Keras layer (MTF101)"


def test_a_client_without_resolve_migrates_all_of_a_newer_version_by_command(impatient_plain_server):
    server = impatient_plain_server
    path = make_project(server.root, "carried-plain") / "pkg" / "ops.py"
    uri = server.open(path, SOURCE)
    server.diagnostics(uri, 1)
    text = SOURCE.replace("def bias(", "def offset(").replace('scope="bias"', 'scope="offset"')
    server.change(uri, text, 2)
    fix_all = server.code_actions(uri, 3, 6)[-1]
    assert fix_all.title == "Migrate all in file (migrate-tf)" and fix_all.edit is None
    assert fix_all.command.command == "migrate-tf.migrateAll"
    server.execute(fix_all.command)
    [applied] = server.applied_edits
    migrated = apply(text, applied.edit.changes[uri])
    assert "class Offset(keras.layers.Layer):" in migrated and "class Dense(" in migrated
