"""The migrate-tf benchmark (``make bench``): one run, one tree, every figure and ratio.

1. Generates a reproducible synthetic repository (benchmarks/synthetic.py; fixed seed,
   pre-3.8 syntax so that ``tf_upgrade_v2`` can read it too) and, from the same files,
   a tree of only the files without TF patterns and a tree of only those with them.
2. Measures, interleaved round by round so that a noisy neighbour hits every figure
   alike, and takes medians:
   * ``migrate-tf diff`` over the whole tree with ``-j1``, ``-j2`` and all cores
     (whole process, wall time);
   * the floors: a plain read of the files, and read + LibCST parse + codegen of the
     files with TF patterns;
   * the time migrate-tf spends on exactly the files without TF patterns and on
     exactly those with them, two ways: instrumented (the runner's per-file function
     timed in a process of its own) and end to end (``diff -j1`` over the sub-tree
     minus ``diff -j1`` over an empty tree, i.e. minus start-up);
   * ``tf_upgrade_v2 --intree`` on the same tree;
   * the editor: ``migrate-tf apply -`` on a 300-line TF1 file (whole process) and,
     when ``migrate-tf lsp`` exists, a warm code action on a 1,000-line file;
   * ``migrate-tf verify`` on examples/speech_model, when the command exists: the
     total and the cost per added case.
3. Prints the tables and writes them to benchmarks/results.md.

Run ``python benchmarks/bench.py --help`` for the options (tree size, runs, skips).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402


def _bin(name: str) -> str:
    """A console script of the interpreter running this benchmark (the project venv)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


MIGRATE_TF = _bin("migrate-tf")
TF_UPGRADE = _bin("tf_upgrade_v2")


# Timing -------------------------------------------------------------------------------


class Series:
    """Wall times (and, where known, CPU times) of one measurement."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: list[float] = []
        self.cpu: list[float] = []

    def add(self, value: float, cpu: float | None = None) -> None:
        self.values.append(value)
        if cpu is not None:
            self.cpu.append(cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")

    def spread(self) -> str:
        if len(self.values) < 2:
            return ""
        return f"{min(self.values):.3f}-{max(self.values):.3f}"


#: The environment of every measured command. This sandbox sets
#: PYTHONDONTWRITEBYTECODE, so every start-up would compile migrate_tf from source; a
#: user's installation has bytecode. The cache goes to the work directory (see
#: main), never into the repository.
ENV = dict(os.environ)
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def timed_run(argv, *, stdin_path=None, env=None, cwd=None, timeout=3600):
    """Run a command; return (wall seconds, CPU seconds of it and its children, process)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run(
            argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env or ENV, cwd=cwd, timeout=timeout,
        )
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        if stdin_path:
            stdin.close()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, proc


def command_exists(*argv) -> bool:
    try:
        proc = subprocess.run(
            [MIGRATE_TF, *argv, "--help"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


# The tree ---------------------------------------------------------------------------------


def build_trees(workdir: Path, files: int, seed: int):
    tree = workdir / "tree"
    manifest = synthetic.generate_tree(str(tree), files, seed, "legacy")
    for sub, keep in (("plain", False), ("tf", True)):
        root = workdir / sub
        root.mkdir()
        for entry in manifest.files:
            if entry.tf_pattern == keep:
                target = root / entry.path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(tree / entry.path, target)
    (workdir / "empty").mkdir()
    for root in ("tree", "plain", "tf", "empty"):
        shutil.copyfile(tree / ".gitignore", workdir / root / ".gitignore") if root != "tree" else None
        subprocess.run(["git", "init", "-q", str(workdir / root)], check=False)
    editor = workdir / "editor"
    editor.mkdir()
    (editor / "tf1_300.py").write_text(synthetic.single_tf1_file(300, seed=seed + 1))
    (editor / "tf1_1000.py").write_text(synthetic.single_tf1_file(1000, seed=seed + 2))
    (workdir / "manifest.json").write_text(json.dumps(manifest.to_json(), indent=1))
    return manifest


# In-process measurements (run in a child process: `bench.py --inprocess SPEC`) ------------


def inprocess(spec_path: str) -> None:
    """Per-file costs without process start-up, printed as JSON (wall and CPU seconds).

    * read: open + read of each file (what any tool pays);
    * walk+read: list the tree's ``.py`` files (``os.walk``, skipping ``.git``, sorted),
      then read them: what any tool pays that is handed a directory, not a file list;
    * floor: read + decode + LibCST parse + codegen;
    * migrate: the runner's per-file function (read, trigger pre-filter, decode,
      parse, rules, validation), exactly what a worker does for each file;
    * validate: the part of ``migrate`` spent checking the output before it may be
      written (``pipeline.validate_output``: ``compile()`` and LibCST's parse of the
      changed top-level statements, required by the engine's safety rules).
    """
    spec = json.loads(Path(spec_path).read_text())
    import gc

    import libcst as cst

    from migrate_tf.config import Settings
    from migrate_tf.engine.pipeline import migrate_bytes
    from migrate_tf.engine.runner import migrate_path
    from migrate_tf.rules import select_rules

    rules = select_rules()
    settings = Settings()

    from migrate_tf.engine import pipeline

    validating = {"wall": 0.0, "cpu": 0.0}
    checked = getattr(pipeline, "validate_output", None)
    if checked is not None:
        def timed_validation(*args, **kwargs):
            started, started_cpu = time.perf_counter(), time.process_time()
            try:
                return checked(*args, **kwargs)
            finally:
                validating["wall"] += time.perf_counter() - started
                validating["cpu"] += time.process_time() - started_cpu

        pipeline.validate_output = timed_validation

    def read(paths):
        for path in paths:
            with open(path, "rb") as handle:
                handle.read()

    def floor(paths):
        for path in paths:
            with open(path, "rb") as handle:
                data = handle.read()
            cst.parse_module(data.decode("utf-8")).code

    def migrate(paths):
        for path in paths:
            migrate_path(path, rules=rules, settings=settings)

    def walk_read(root):
        found = []
        for directory, subdirectories, names in os.walk(root):
            subdirectories[:] = [d for d in subdirectories if d != ".git"]
            found += [os.path.join(directory, n) for n in names if n.endswith(".py")]
        found.sort()
        read(found)

    groups = spec["groups"]
    wall: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for name, paths in groups.items():  # warm-up: imports, caches, page cache
        migrate(paths)
    for _ in range(spec["runs"]):
        for name, paths in groups.items():
            for label, function in (("read", read), ("floor", floor), ("migrate", migrate)):
                if label == "floor" and name == "plain":
                    continue
                gc.collect()
                validating.update(wall=0.0, cpu=0.0)
                started, started_cpu = time.perf_counter(), time.process_time()
                function(paths)
                wall.setdefault(f"{label}:{name}", []).append(time.perf_counter() - started)
                cpu.setdefault(f"{label}:{name}", []).append(time.process_time() - started_cpu)
                if label == "migrate" and checked is not None:
                    wall.setdefault(f"validate:{name}", []).append(validating["wall"])
                    cpu.setdefault(f"validate:{name}", []).append(validating["cpu"])
        for name, root in spec.get("roots", {}).items():
            gc.collect()
            started, started_cpu = time.perf_counter(), time.process_time()
            walk_read(root)
            wall.setdefault(f"walk+read:{name}", []).append(time.perf_counter() - started)
            cpu.setdefault(f"walk+read:{name}", []).append(time.process_time() - started_cpu)
    parsed = {}
    outcome = {}
    triggers = {}
    for name, paths in groups.items():
        count = 0
        statuses = {"changed": 0, "unchanged": 0, "failed": 0}
        codes: dict[str, int] = {}
        for path in paths:
            with open(path, "rb") as handle:
                data = handle.read()
            if migrate_bytes(data, rules=rules, settings=settings, filename=path).parsed:
                count += 1
                if name == "plain":
                    for code in _triggering(data, rules):  # which rules made it worth a parse
                        codes[code] = codes.get(code, 0) + 1
            statuses[migrate_path(path, rules=rules, settings=settings).status] += 1
        parsed[name] = count
        outcome[name] = statuses
        triggers[name] = codes
    print(json.dumps({"wall": wall, "cpu": cpu, "parsed": parsed, "outcome": outcome,
                      "triggers": triggers}))


def _triggering(data: bytes, rules) -> list[str]:
    """Codes of the rules whose trigger words the pipeline's pre-filter finds in code."""
    from migrate_tf.engine import pipeline

    try:
        text = pipeline.decode_source(data).text
        return [rule.CODE for rule in pipeline._mentioned_in_code(text, rules)]
    except Exception:  # noqa: BLE001 - the engine's internals changed: say so, do not fail
        return ["?"]


# The language server -------------------------------------------------------------------------


class LspClient:
    """A minimal LSP client over stdio (Content-Length framing, JSON-RPC 2.0)."""

    def __init__(self, argv, cwd) -> None:
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd
        )
        self.next_id = 0
        self.responses: dict[int, dict] = {}
        #: (uri, version) -> when its diagnostics arrived (time.perf_counter())
        self.diagnostics_at: dict[tuple[str, int | None], float] = {}
        self.diagnostics: dict[tuple[str, int | None], list] = {}
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    with self.cond:
                        self.cond.notify_all()
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length is None:
                continue
            message = json.loads(stream.read(length))
            if "id" in message and ("result" in message or "error" in message):
                with self.cond:
                    self.responses[message["id"]] = message
                    self.cond.notify_all()
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message.get("params") or {}
                with self.cond:
                    key = (params.get("uri"), params.get("version"))
                    self.diagnostics_at.setdefault(key, time.perf_counter())
                    self.diagnostics[key] = params.get("diagnostics") or []
                    self.cond.notify_all()
            elif "id" in message and "method" in message:
                # a request from the server (e.g. workspace/configuration): answer null
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})

    def _send(self, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params, timeout: float = 60.0) -> dict:
        self.next_id += 1
        ident = self.next_id
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self.cond:
            while ident not in self.responses:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"no answer to {method}")
                self.cond.wait(remaining)
            return self.responses.pop(ident)

    def wait_for_diagnostics(self, uri: str, version: int, timeout: float = 60.0) -> float:
        """When the diagnostics of ``version`` of ``uri`` arrived (waits for them)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while (uri, version) not in self.diagnostics_at:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"no diagnostics for version {version}")
                self.cond.wait(remaining)
            return self.diagnostics_at[(uri, version)]

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a benchmark client; just make sure it ends
            self.proc.kill()
            self.proc.wait()


def measure_lsp(path: Path, runs: int) -> tuple[Series, Series, Series, str]:
    """Code actions of a warm server on a 1,000-line file, at a cursor on a conversion
    in the second half, after edits in the first quarter (a comment line there is
    rewritten: the definition around it must be analysed again, everything after it
    is unchanged).

    * after an edit: ``didChange`` then ``codeAction``, timed from the change to the
      answer (the server answers from the last finished analysis when the new
      version's takes longer than it waits);
    * diagnostics after an edit: from the change to the new version's diagnostics,
      i.e. the migration of the whole new text;
    * cached: ``codeAction`` again once the version is analysed (the cursor moved).
    """
    after_edit, analysed, cached = Series("lsp after edit"), Series("lsp analysis"), Series("lsp cached")
    original = path.read_text().splitlines(keepends=True)
    quarter = len(original) // 4

    def version_text(version: int) -> str:
        return "".join(original[:quarter] + [f"# edit {version}\n"] + original[quarter:])

    text = version_text(1)
    uri = path.resolve().as_uri()
    middle = len(text.splitlines()) // 2
    position = {"line": middle, "character": 0}
    client = LspClient([MIGRATE_TF, "lsp"], cwd=str(path.parent))
    note = ""
    try:
        client.request("initialize", {
            "processId": os.getpid(),
            "rootUri": path.parent.resolve().as_uri(),
            "capabilities": {"textDocument": {"codeAction": {
                "codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                    "", "quickfix", "refactor", "refactor.rewrite", "source", "source.fixAll"]}},
                "resolveSupport": {"properties": ["edit"]},
            }}},
        })
        client.notify("initialized", {})
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        client.wait_for_diagnostics(uri, 1, timeout=120)
        conversions = [d["range"]["start"] for d in client.diagnostics[(uri, 1)]
                       if d.get("severity") == 3 and d["range"]["start"]["line"] > middle]
        if conversions:
            position = conversions[0]

        def code_action() -> int:
            answer = client.request("textDocument/codeAction", {
                "textDocument": {"uri": uri},
                "range": {"start": position, "end": position},
                "context": {"diagnostics": []},
            })
            if "error" in answer:
                raise RuntimeError(answer["error"].get("message"))
            return len(answer.get("result") or [])

        def edit(version: int) -> None:
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": version_text(version)}],
            })

        edit(2)
        code_action()  # warm-up
        client.wait_for_diagnostics(uri, 2)
        counts = set()
        for index in range(runs):
            version = 3 + index
            started = time.perf_counter()
            edit(version)
            counts.add(code_action())
            after_edit.add(time.perf_counter() - started)
            analysed.add(client.wait_for_diagnostics(uri, version) - started)
            started = time.perf_counter()
            counts.add(code_action())
            cached.add(time.perf_counter() - started)
        note = (f"{'/'.join(map(str, sorted(counts)))} code action(s) at line {position['line'] + 1}; "
                f"edits at line {quarter + 1}")
    except Exception as error:  # noqa: BLE001 - reported in the table
        note = f"failed: {error}"
    finally:
        client.close()
    return after_edit, analysed, cached, note


# verify -----------------------------------------------------------------------------------


SUMMARY = re.compile(r"(\d+) conversions? in .*?\((\d+) TensorFlow process(?:es)?")


def measure_verify(runs: int) -> dict:
    """``verify`` on the example project and on one file of it (fewer cases)."""
    project = REPO / "examples" / "speech_model"
    small = project / "speech_model" / "layers.py"
    out = {}
    for label, target in (("all", project), ("small", small)):
        series = Series(label)
        cases = processes = None
        for _ in range(runs):
            elapsed, cpu, proc = timed_run([MIGRATE_TF, "verify", str(target)], cwd=str(REPO))
            text = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
            match = SUMMARY.search(text)
            if proc.returncode not in (0, 1) or match is None:
                out[label] = {"error": (text.strip().splitlines() or [f"exit {proc.returncode}"])[-1]}
                break
            cases, processes = int(match.group(1)), int(match.group(2))
            series.add(elapsed, cpu)
        else:
            out[label] = {"series": series, "cases": cases, "processes": processes,
                          "target": str(target.relative_to(REPO))}
    return out


# Machine and versions -------------------------------------------------------------------------


def machine() -> dict:
    from importlib import metadata

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    try:
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        load = "unknown"
    return {
        "load": load,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.system()} {platform.release()} {platform.machine()}, {cpu}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "libcst": version("libcst"),
        "migrate-tf": f"{version('migrate-tf')} at {commit}{' (with uncommitted changes)' if dirty else ''}",
        "tensorflow": version("tensorflow-cpu") if version("tensorflow") == "not installed" else version("tensorflow"),
    }


# The run -------------------------------------------------------------------------------------


def fmt(seconds: float) -> str:
    if seconds != seconds:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="migrate-tf benchmark")
    parser.add_argument("--files", type=int, default=2000, help="files in the synthetic tree (default 2000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=5, help="runs of each fast measurement (median)")
    parser.add_argument("--slow-runs", type=int, default=3, help="runs of tf_upgrade_v2 and verify")
    parser.add_argument("--workdir", help="where to build the trees (default: a temporary directory)")
    parser.add_argument("--results", default=str(HERE / "results.md"))
    parser.add_argument("--skip-tf-upgrade", action="store_true")
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument("--inprocess", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inprocess:
        inprocess(args.inprocess)
        return 0

    def say(text):
        print(text, file=sys.stderr, flush=True)

    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="migrate-tf-bench-") if temporary else args.workdir)
    if not temporary:
        if workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True)
    try:
        return _run(args, workdir, say)
    finally:
        if temporary:
            shutil.rmtree(workdir, ignore_errors=True)


def _ratio(a: float, b: float) -> float:
    if a != a or b != b or not b:
        return float("nan")
    return a / b


def _run(args, workdir: Path, say) -> int:
    ENV["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    say(f"bench: generating {args.files} files (seed {args.seed}) in {workdir}")
    manifest = build_trees(workdir, args.files, args.seed)
    files = manifest.files
    plain = [str(workdir / "tree" / f.path) for f in files if not f.tf_pattern]
    tf = [str(workdir / "tree" / f.path) for f in files if f.tf_pattern]
    lines_plain = sum(f.lines for f in files if not f.tf_pattern)
    lines_tf = sum(f.lines for f in files if f.tf_pattern)
    say(f"bench: {len(files)} files, {lines_plain + lines_tf} lines; {len(tf)} files "
        f"({lines_tf} lines) with TF patterns")
    cores = os.cpu_count() or 1
    info = machine()

    # Per-file costs, instrumented, in a process of their own.
    say("bench: per-file costs (instrumented)")
    spec = workdir / "inprocess.json"
    spec.write_text(json.dumps({"runs": args.runs, "groups": {"plain": plain, "tf": tf},
                                "roots": {"plain": str(workdir / "plain")}}))
    child = subprocess.run([sys.executable, __file__, "--inprocess", str(spec)],
                           capture_output=True, text=True, cwd=str(workdir), env=ENV)
    if child.returncode != 0:
        say(child.stderr)
        raise SystemExit("bench: the in-process measurement failed")
    inproc = json.loads(child.stdout)
    instrumented = {}
    for key, values in inproc["wall"].items():
        series = Series(key)
        for wall, cpu in zip(values, inproc["cpu"][key]):
            series.add(wall, cpu)
        instrumented[key] = series

    # Whole-process runs, interleaved round by round.
    tree, sub_plain, sub_tf, empty = (str(workdir / n) for n in ("tree", "plain", "tf", "empty"))
    editor_file = workdir / "editor" / "tf1_300.py"
    runs = {
        "diff -j1 tree": [MIGRATE_TF, "diff", "--no-progress", "-j1", tree],
        "diff -j2 tree": [MIGRATE_TF, "diff", "--no-progress", "-j2", tree],
        f"diff -j{cores} tree": [MIGRATE_TF, "diff", "--no-progress", f"-j{cores}", tree],
        "diff -j1 plain": [MIGRATE_TF, "diff", "--no-progress", "-j1", sub_plain],
        "diff -j1 tf": [MIGRATE_TF, "diff", "--no-progress", "-j1", sub_tf],
        "diff -j1 empty": [MIGRATE_TF, "diff", "--no-progress", "-j1", empty],
        "apply -": [MIGRATE_TF, "apply", "-", "--stdin-filename", str(editor_file)],
    }
    series = {name: Series(name) for name in runs}
    summaries = {}
    editor_changed = None
    for round_number in range(args.runs + 1):  # round 0 warms up and is discarded
        say(f"bench: whole-process runs, round {round_number}/{args.runs}"
            + (" (warm-up)" if not round_number else ""))
        for name, argv in runs.items():
            stdin = str(editor_file) if name == "apply -" else None
            elapsed, cpu, proc = timed_run(argv, stdin_path=stdin, cwd=str(workdir))
            if proc.returncode not in (0, 1):
                raise SystemExit(f"bench: {' '.join(argv)} exited {proc.returncode}:\n"
                                 + proc.stderr.decode(errors="replace")[-2000:])
            if round_number:
                series[name].add(elapsed, cpu)
            summaries[name] = (proc.stderr.decode(errors="replace").strip().splitlines() or [""])[-1]
            if name == "apply -":
                editor_changed = proc.stdout != editor_file.read_bytes()
    # The editor action must not import TensorFlow (nor Keras).
    _, _, proc = timed_run(runs["apply -"], env=dict(ENV, PYTHONPROFILEIMPORTTIME="1"),
                           stdin_path=str(editor_file))
    editor_tf = bool(re.search(r"\|\s+(tensorflow|keras)(\.|$)",
                               proc.stderr.decode(errors="replace"), re.MULTILINE))

    # tf_upgrade_v2 on the same tree.
    tfu = Series("tf_upgrade_v2")
    if args.skip_tf_upgrade:
        tfu_note = "skipped (--skip-tf-upgrade)"
    elif not Path(TF_UPGRADE).exists() and shutil.which(TF_UPGRADE) is None:
        tfu_note = "not available (tf_upgrade_v2 not installed)"
    else:
        for index in range(args.slow_runs):
            say(f"bench: tf_upgrade_v2 run {index + 1}/{args.slow_runs}")
            out = workdir / f"tfu-out-{index}"
            report = workdir / f"tfu-report-{index}.txt"
            elapsed, cpu, proc = timed_run([TF_UPGRADE, "--intree", tree, "--outtree", str(out),
                                            "--reportfile", str(report)], cwd=str(workdir))
            processed = 0
            if report.exists():
                processed = report.read_text(errors="replace").count("Processing file")
            shutil.rmtree(out, ignore_errors=True)
            if proc.returncode != 0 or processed != len(files):
                tfu_note = (f"run {index + 1} processed {processed} of {len(files)} files "
                            f"(exit {proc.returncode}): not comparable")
                tfu = Series("tf_upgrade_v2")
                break
            tfu.add(elapsed, cpu)
        else:
            tfu_note = f"all {len(files)} files processed (output to a separate tree)"

    # Language server.
    lsp_edit, lsp_analysis, lsp_cached = Series("lsp"), Series("lsp analysis"), Series("lsp cached")
    lsp_note = "not available (no 'migrate-tf lsp' command)"
    if command_exists("lsp"):
        say("bench: language server")
        lsp_edit, lsp_analysis, lsp_cached, lsp_note = measure_lsp(
            workdir / "editor" / "tf1_1000.py", max(args.runs, 10))

    # verify.
    verify = None
    verify_note = "not available (no 'migrate-tf verify' command)"
    if args.skip_verify:
        verify_note = "skipped (--skip-verify)"
    elif command_exists("verify"):
        say("bench: verify (examples/speech_model)")
        verify = measure_verify(args.slow_runs)

    # Figures ----------------------------------------------------------------------------
    startup = series["diff -j1 empty"]
    e2e_plain = series["diff -j1 plain"].median - startup.median
    e2e_tf = series["diff -j1 tf"].median - startup.median
    e2e_plain_cpu = series["diff -j1 plain"].cpu_median - startup.cpu_median
    e2e_tf_cpu = series["diff -j1 tf"].cpu_median - startup.cpu_median
    read_plain, read_tf = instrumented["read:plain"], instrumented["read:tf"]
    walk_read_plain = instrumented["walk+read:plain"]
    floor_tf = instrumented["floor:tf"]
    mig_plain, mig_tf = instrumented["migrate:plain"], instrumented["migrate:tf"]
    d1, d2, dn = series["diff -j1 tree"], series["diff -j2 tree"], series[f"diff -j{cores} tree"]
    editor = series["apply -"]

    rows = [  # (name, series or None, wall override, how, note)
        ("plain read, files without TF patterns", read_plain, "instrumented",
         f"{len(plain)} files, {lines_plain} lines"),
        ("plain read, files with TF patterns", read_tf, "instrumented",
         f"{len(tf)} files, {lines_tf} lines"),
        ("plain walk + read, tree of the files without TF patterns", walk_read_plain, "instrumented",
         "os.walk (skipping .git), sort, read every .py file"),
        ("floor: read + LibCST parse + codegen, files with TF patterns", floor_tf, "instrumented", ""),
        ("migrate-tf per-file work, files without TF patterns", mig_plain, "instrumented",
         f"{inproc['parsed']['plain']} of {len(plain)} parsed (a trigger word in code: "
         + (", ".join(f"{code} {count}" for code, count in sorted(inproc["triggers"]["plain"].items())) or "none")
         + ")"),
        ("migrate-tf per-file work, files with TF patterns", mig_tf, "instrumented",
         "{changed} changed, {unchanged} unchanged, {failed} failed".format(**inproc["outcome"]["tf"])),
    ]
    validate_tf = instrumented.get("validate:tf")
    if validate_tf is not None:
        rows.append(("of which: checking the output before it may be written, files with TF patterns",
                     validate_tf, "instrumented",
                     "compile() + LibCST parse of the changed top-level statements (engine safety rule)"))
    rows += [
        ("migrate-tf diff -j1, empty tree (start-up)", startup, "process", ""),
        ("migrate-tf diff -j1, tree of the files without TF patterns", series["diff -j1 plain"], "process",
         f"minus start-up: {fmt(e2e_plain)} wall, {fmt(e2e_plain_cpu)} CPU"),
        ("migrate-tf diff -j1, tree of the files with TF patterns", series["diff -j1 tf"], "process",
         f"minus start-up: {fmt(e2e_tf)} wall, {fmt(e2e_tf_cpu)} CPU"),
        ("migrate-tf diff -j1, whole tree", d1, "process", summaries["diff -j1 tree"]),
        ("migrate-tf diff -j2, whole tree", d2, "process", ""),
    ]
    if cores != 2:
        rows.append((f"migrate-tf diff -j{cores} (all cores), whole tree", dn, "process", ""))
    rows.append(("tf_upgrade_v2 --intree, whole tree", tfu, "process", tfu_note))
    rows.append(("migrate-tf apply - (300-line TF1 file, editor)", editor, "process",
                 ("converted" if editor_changed else "NOT converted")
                 + ("; imports TensorFlow!" if editor_tf else "; no TensorFlow import")))
    rows.append(("language server: edit + code action, 1,000-line file", lsp_edit, "request", lsp_note))
    rows.append(("language server: edit + new diagnostics (migrating the new text), 1,000-line file",
                 lsp_analysis, "request", ""))
    rows.append(("language server: code action, same version (cached)", lsp_cached, "request", ""))
    per_case = float("nan")
    verify_processes = float("nan")
    if verify is None:
        rows.append(("migrate-tf verify examples/speech_model", Series("verify"), "process", verify_note))
    else:
        full, small = verify.get("all", {}), verify.get("small", {})
        for part in (full, small):
            if "series" in part:
                rows.append((f"migrate-tf verify {part['target']}", part["series"], "process",
                             f"{part['cases']} cases, {part['processes']} TensorFlow processes"))
            else:
                rows.append(("migrate-tf verify", Series("verify"), "process", f"failed: {part.get('error')}"))
        if "series" in full:
            verify_processes = float(full["processes"])
        if "series" in full and "series" in small and full["cases"] != small["cases"]:
            per_case = (full["series"].median - small["series"].median) / (full["cases"] - small["cases"])
            per_case_series = Series("per case")
            per_case_series.add(per_case)
            rows.append(("verify: cost per added case", per_case_series, "derived",
                         f"({fmt(full['series'].median)} - {fmt(small['series'].median)}) / "
                         f"({full['cases']} - {small['cases']}) cases"))

    targets = [
        ("files without TF patterns / plain read (instrumented)",
         _ratio(mig_plain.median, read_plain.median), _ratio(mig_plain.cpu_median, read_plain.cpu_median),
         "<= 2", lambda r: r <= 2.0),
        ("files without TF patterns / plain read (end to end, start-up subtracted)",
         _ratio(e2e_plain, read_plain.median), _ratio(e2e_plain_cpu, read_plain.cpu_median),
         "<= 2", lambda r: r <= 2.0),
        ("files without TF patterns / plain walk + read of the tree (end to end, start-up subtracted)",
         _ratio(e2e_plain, walk_read_plain.median), _ratio(e2e_plain_cpu, walk_read_plain.cpu_median),
         "<= 2", lambda r: r <= 2.0),
        ("files with TF patterns / parse + codegen floor (instrumented)",
         _ratio(mig_tf.median, floor_tf.median), _ratio(mig_tf.cpu_median, floor_tf.cpu_median),
         "<= 1.5", lambda r: r <= 1.5),
        ("files with TF patterns, without the output check / parse + codegen floor (instrumented)",
         _ratio(mig_tf.median - validate_tf.median, floor_tf.median) if validate_tf else float("nan"),
         _ratio(mig_tf.cpu_median - validate_tf.cpu_median, floor_tf.cpu_median) if validate_tf else float("nan"),
         "(for information)", None),
        ("files with TF patterns / parse + codegen floor (end to end, start-up subtracted)",
         _ratio(e2e_tf, floor_tf.median), _ratio(e2e_tf_cpu, floor_tf.cpu_median),
         "<= 1.5", lambda r: r <= 1.5),
        (f"tf_upgrade_v2 / migrate-tf diff -j{cores} (whole tree)",
         _ratio(tfu.median, dn.median), _ratio(tfu.cpu_median, dn.cpu_median), ">= 5", lambda r: r >= 5),
        ("tf_upgrade_v2 / migrate-tf diff -j1 (whole tree)",
         _ratio(tfu.median, d1.median), _ratio(tfu.cpu_median, d1.cpu_median), "(for information)", None),
        ("parallel speed-up: diff -j1 / diff -j2 (whole tree, wall)",
         _ratio(d1.median, d2.median), float("nan"), ">= 1.6", lambda r: r >= 1.6),
        ("editor: apply - on 300 lines, wall seconds",
         editor.median, editor.cpu_median, "< 0.5, no TensorFlow import",
         lambda r: r < 0.5 and not editor_tf),
        ("language server: edit + code action on 1,000 lines, seconds",
         lsp_edit.median, float("nan"), "< 0.150", lambda r: r < 0.150),
        ("language server: edit + new diagnostics on 1,000 lines, seconds",
         lsp_analysis.median, float("nan"), "(for information)", None),
        ("language server: code action on an analysed version, seconds",
         lsp_cached.median, float("nan"), "(for information)", None),
        ("verify: TensorFlow processes per run", verify_processes, float("nan"),
         "2, whatever the number of cases", lambda r: r == 2),
    ]

    def shown(value: float) -> str:
        if value != value:
            return "n/a"
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"

    def verdict(value, check):
        if check is None:
            return ""
        if value != value:
            return "not measured"
        return "met" if check(value) else "MISSED"

    out = ["# migrate-tf benchmark results", "",
           "Written by `make bench` (`benchmarks/bench.py`); every figure below comes from one run.", ""]
    for key in ("date", "machine", "python", "libcst", "migrate-tf", "tensorflow"):
        out.append(f"- {key}: {info[key]}")
    out.append(f"- load average (1, 5, 15 min) at the start: {info['load']}; at the end: {machine()['load']}"
               " (other work on this machine shares its 2 cores)")
    out.append(f"- tree: {len(files)} files, {lines_plain + lines_tf} lines (seed {args.seed}, "
               f"pre-3.8 syntax); {len(tf)} files / {lines_tf} lines with TF patterns")
    out.append(f"- medians of {args.runs} runs (tf_upgrade_v2 and verify: {args.slow_runs}); "
               "whole-process runs interleaved round by round after a discarded warm-up round; "
               "commands run with a bytecode cache, as an installed package has")
    out += ["", "## Figures", "",
            "| measurement | wall (median) | CPU (median) | wall range | how | notes |",
            "| --- | ---: | ---: | ---: | --- | --- |"]
    for name, measured, how, note in rows:
        spread = f"{fmt(min(measured.values))}-{fmt(max(measured.values))}" if len(measured.values) > 1 else ""
        out.append(f"| {name} | {fmt(measured.median)} | {fmt(measured.cpu_median)} | {spread} | {how} | {note} |")
    out += ["", "## Targets", "",
            "Ratios of medians from this run; the verdict is on wall time (CPU time, "
            "which a busy machine disturbs less, for comparison).", "",
            "| target | wall | CPU | limit | verdict |",
            "| --- | ---: | ---: | --- | --- |"]
    for name, value, cpu_value, limit, check in targets:
        out.append(f"| {name} | {shown(value)} | {shown(cpu_value)} | {limit} | {verdict(value, check)} |")
    out += ["",
            "*Instrumented*: the runner's per-file function (`migrate_path`: read, trigger "
            "pre-filter, decode, parse, every rule, validation) timed over exactly those files "
            "in one warm process; the floor is read + decode + `libcst.parse_module` + `.code` "
            "of the same files. *End to end*: `migrate-tf diff -j1` over a tree holding only "
            "those files (discovery, diff printing included) minus the same command over an "
            "empty tree. The plain read is handed its file list; a tool handed a directory "
            "must list it first, hence the *walk + read* baseline (os.walk skipping .git, sort, "
            "read) for the end-to-end ratio as well. *CPU* of a process includes its worker "
            "processes. *Language server*: each edit rewrites one comment line in the first "
            "quarter of the file; the code action is asked for at once, on a conversion in the "
            "second half. The server waits for the new version's analysis at most 0.1 s, then "
            "answers from the last finished analysis carried over to the new text (what the "
            "edit touched left out; an action's edit is computed for the current version when "
            "it is chosen); the new diagnostics arrive when the whole new text is migrated."]
    text = "\n".join(out) + "\n"
    print(text)
    Path(args.results).write_text(text)
    say(f"bench: written to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
