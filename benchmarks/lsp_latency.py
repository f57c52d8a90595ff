"""Latency of ``migrate-tf lsp`` code actions on a 1,000-line TF1 file.

    python benchmarks/lsp_latency.py [FILE] [--runs 30]

Starts the real server (``python -m migrate_tf lsp``) with pygls' client over stdio,
opens FILE (default: a 1,000-line file from ``synthetic.single_tf1_file`` when
benchmarks/synthetic.py is there, else the example project's TF1 code repeated), and
waits for its diagnostics. Then, for a client that resolves code actions (VS Code,
Neovim) and for one that does not (Helix), it times, in milliseconds (median and
95th percentile over ``--runs`` requests):

* ``warm, cursor``: a code action request on a conversion's name, for the version
  already analysed (what happens when the cursor moves: the budget is 150 ms);
* ``warm, whole file``: the same over a range covering the whole file;
* ``resolve one construct``: ``codeAction/resolve`` of "Migrate `name`" (one more
  pipeline run, only when the user picks the action);
* ``after a change``: ``didChange`` then a code action at once (the server waits
  for the new version's analysis at most 0.1 s, then answers from the last one
  carried over to the new text);
* ``diagnostics after a change``: from ``didChange`` to the new version's
  diagnostics: the pipeline's time on the file.

It also prints the time to the first diagnostics.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def default_file(lines: int = 1000) -> str:
    try:
        sys.path.insert(0, str(HERE))
        import synthetic  # type: ignore[import-not-found]

        return synthetic.single_tf1_file(lines, seed=9)
    except ImportError:
        pass
    blocks = (REPO / "examples/speech_model/speech_model/blocks.py").read_text()
    body = blocks.split("import tensorflow as tf\n", 1)[1]
    text, index = '"""Synthetic."""\n\nimport tensorflow as tf\n', 0
    while text.count("\n") < lines:
        text += re.sub(r"\b(conv_block|classifier)\b", lambda m: f"{m.group(1)}_{index}", body)
        index += 1
    return text


RESOLVING = types.ClientCapabilities(
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
        )
    ),
)
PLAIN = types.ClientCapabilities()


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"median {statistics.median(values) * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms   (n={len(values)})"


async def measure(path: Path, text: str, capabilities, runs: int, label: str) -> None:
    client = LanguageClient("lsp-latency", "1")
    published: dict[int, asyncio.Event] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.setdefault(params.version, asyncio.Event()).set()
        on_diagnostics.last = params

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    await client.start_io(sys.executable, "-m", "migrate_tf", "lsp", cwd=str(path.parent), env=env)
    await client.initialize_async(
        types.InitializeParams(capabilities=capabilities, root_uri=path.parent.as_uri())
    )
    client.initialized(types.InitializedParams())
    uri = path.as_uri()
    started = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    await published.setdefault(1, asyncio.Event()).wait()
    first = time.perf_counter() - started
    diagnostics = on_diagnostics.last.diagnostics
    conversions = [d for d in diagnostics if d.severity == types.DiagnosticSeverity.Information]
    print(f"\n[{label}] {text.count(chr(10))} lines: {len(conversions)} conversions, "
          f"{len(diagnostics) - len(conversions)} findings; first diagnostics after {first:.2f} s")

    async def action(range_: types.Range) -> tuple[float, list]:
        began = time.perf_counter()
        result = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=range_,
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        return time.perf_counter() - began, list(result or [])

    cursor = [conversions[i % len(conversions)].range for i in range(runs)]
    whole = types.Range(
        start=types.Position(line=0, character=0),
        end=types.Position(line=text.count("\n"), character=0),
    )
    await action(cursor[0])  # warm-up
    timings = []
    for range_ in cursor:
        elapsed, actions = await action(range_)
        timings.append(elapsed)
    print(f"  warm, cursor on a name:     {ms(timings)}   {len(actions)} actions")
    timings = []
    for _ in range(runs):
        elapsed, actions = await action(whole)
        timings.append(elapsed)
    print(f"  warm, whole file:           {ms(timings)}   {len(actions)} actions")

    if capabilities is RESOLVING:
        timings = []
        for range_ in cursor[: max(3, runs // 5)]:
            _, actions = await action(range_)
            began = time.perf_counter()
            await client.code_action_resolve_async(actions[0])
            timings.append(time.perf_counter() - began)
        print(f"  resolve one construct:      {ms(timings)}")

    timings, analysed = [], []
    for index in range(max(3, runs // 5)):
        version = 2 + index
        arrived = published.setdefault(version, asyncio.Event())
        began = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text + f"# edit {version}\n")],
            )
        )
        await action(cursor[0])
        timings.append(time.perf_counter() - began)
        await arrived.wait()
        analysed.append(time.perf_counter() - began)
    print(f"  after a change:             {ms(timings)}")
    print(f"  diagnostics after a change: {ms(analysed)}")

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "tf1_1000.py"
        text = args.file.read_text() if args.file else default_file()
        path.write_text(text)
        (Path(directory) / "pyproject.toml").write_text("[tool.migrate-tf]\n")
        asyncio.run(measure(path, text, RESOLVING, args.runs, "client that resolves (VS Code, Neovim)"))
        asyncio.run(measure(path, text, PLAIN, args.runs, "client that does not resolve (Helix)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
