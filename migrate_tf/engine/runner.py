"""Running the pipeline over many files: in parallel, one writer, nothing stops the run.

Workers (processes) read a file and call :func:`~migrate_tf.engine.pipeline.migrate_bytes`;
they never write. The parent receives results in file order, writes changed files
(:mod:`migrate_tf.engine.writer`), and hands each result to an optional callback
(``diff`` prints there). Only changed files send their bytes back to the parent.

Every way one file can go wrong (unreadable, undecodable, unparsable, a rule crashing,
a failed write, even a worker process dying) turns into a failed :class:`FileResult`
with a one-line reason; the other files are still processed.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Callable, Iterable, Literal, Sequence

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_bytes
from migrate_tf.engine.writer import deferred_interrupts, remove_stale_temporaries, write_file
from migrate_tf.rules.base import Conversion, Finding, Rule

if TYPE_CHECKING:  # imported where used: the editor's one-file runs never need them
    import concurrent.futures
    import multiprocessing

Status = Literal["changed", "unchanged", "failed"]

#: Below this many files a run stays in-process: starting workers would cost more
#: than it saves.
PARALLEL_MIN_FILES = 16
NOTEBOOK_SUFFIX = ".ipynb"
#: Each worker gets at least this many files; fewer workers are started otherwise.
FILES_PER_WORKER = 8
WORKER_CRASHED = (
    "the worker process migrating this file died (a crash in the parser or "
    "running out of memory); the file was left unchanged"
)


@dataclasses.dataclass
class FileResult:
    """What happened to one file.

    ``status`` is "changed" when the migration changed the file (and, when writing,
    the file was written), "unchanged", or "failed" with ``error`` set. ``data`` and
    ``output`` (original and migrated bytes) are only set for changed files, and only
    while the result is handed to the runner's callback unless ``keep_output``.
    """

    path: str
    status: Status
    error: str | None = None
    findings: tuple[Finding, ...] = ()
    applied: tuple[str, ...] = ()
    data: bytes | None = None
    output: bytes | None = None
    #: What was (or, in a dry run, would be) converted; set for changed files.
    conversions: tuple[Conversion, ...] = ()

    @property
    def changed(self) -> bool:
        return self.status == "changed"

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclasses.dataclass
class RunResult:
    """Every file's result, in the order the files were given."""

    files: list[FileResult] = dataclasses.field(default_factory=list)

    def _count(self, status: Status) -> int:
        return sum(1 for result in self.files if result.status == status)

    @property
    def scanned(self) -> int:
        return len(self.files)

    @property
    def changed(self) -> int:
        return self._count("changed")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def findings(self) -> int:
        return sum(len(result.findings) for result in self.files)


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run. ``result`` holds the files finished before it (each one
    written whole or not at all); ``total`` is how many files the run was given."""

    def __init__(self, result: RunResult, total: int) -> None:
        super().__init__()
        self.result = result
        self.total = total


# One file ----------------------------------------------------------------------------


def migrate_data(
    data: bytes, path: str, *, rules: Sequence[type[Rule]], settings: Settings
) -> FileResult:
    """Migrate bytes already read (a file, or stdin) into a :class:`FileResult`."""
    # A notebook (by its name) is migrated by migrate_tf.engine.notebook.
    migrate = migrate_bytes
    if path.lower().endswith(NOTEBOOK_SUFFIX):
        from migrate_tf.engine.notebook import is_notebook, migrate_notebook_bytes

        if is_notebook(path):
            migrate = migrate_notebook_bytes
    try:
        result = migrate(data, rules=rules, settings=settings, filename=path)
    except Exception as error:  # noqa: BLE001 - the pipeline should not raise; if it does, only this file fails
        return FileResult(
            path=path, status="failed", error=f"internal error: {type(error).__name__}: {error}"
        )
    findings = tuple(result.findings)
    if result.error is not None:
        return FileResult(path=path, status="failed", error=result.error, findings=findings)
    if not result.changed:
        return FileResult(path=path, status="unchanged", findings=findings)
    return FileResult(
        path=path,
        status="changed",
        findings=findings,
        applied=result.applied,
        data=data,
        output=result.output,
        conversions=tuple(result.conversions),
    )


def _read_file(path: str) -> bytes:
    """A file's bytes, read to the end. Unbuffered: a buffered reader (and the
    check whether the file is a terminal that comes with it) is a fifth of the cost
    of reading a small file whole, and buys nothing when it is read in one go."""
    with open(path, "rb", buffering=0) as handle:
        return handle.read()


def migrate_path(path: str, *, rules: Sequence[type[Rule]], settings: Settings) -> FileResult:
    """Read and migrate one file; never raises for a bad file."""
    try:
        data = _read_file(path)
    except OSError as error:
        return FileResult(
            path=path, status="failed", error=f"cannot read: {error.strerror or error}"
        )
    return migrate_data(data, path, rules=rules, settings=settings)


# Worker processes ----------------------------------------------------------------------


@dataclasses.dataclass
class _WorkerState:
    rules: Sequence[type[Rule]]
    settings: Settings
    #: Shared with the parent: which file each worker is on (-1: none), so that when a
    #: worker dies the parent knows which files to suspect.
    slots: "multiprocessing.Array"
    slot: int


_worker: _WorkerState | None = None


def _init_worker(rules, settings, slots, counter) -> None:
    global _worker
    with counter.get_lock():
        slot = counter.value
        counter.value += 1
    _worker = _WorkerState(rules=rules, settings=settings, slots=slots, slot=slot)


def _work(chunk: list[tuple[int, str]]) -> list[tuple[int, FileResult]]:
    state = _worker
    assert state is not None, "worker used before its initializer ran"
    results = []
    for index, path in chunk:
        state.slots[state.slot] = index
        results.append((index, migrate_path(path, rules=state.rules, settings=state.settings)))
    state.slots[state.slot] = -1
    return results


class _InOrder:
    """Releases results in file order, whatever order they arrive in."""

    def __init__(self, release: Callable[[int, FileResult], None]) -> None:
        self.release = release
        self.waiting: dict[int, FileResult] = {}
        self.next = 0
        self.seen: set[int] = set()

    def put(self, index: int, result: FileResult) -> None:
        if index in self.seen:
            return
        self.seen.add(index)
        self.waiting[index] = result
        while self.next in self.waiting:
            self.release(self.next, self.waiting.pop(self.next))
            self.next += 1


def _chunks(paths: Sequence[str], indices: Sequence[int], workers: int) -> list[list[int]]:
    """The work units of a pool, in the order they are submitted.

    File size stands for cost. Files bigger than a unit's share of the total go first,
    one per unit, so that a large file does not start last and leave one worker
    running alone at the end; the other files follow in their own order (so results
    keep coming in order), grouped into units of about equal size.
    """
    sizes = {}
    for index in indices:
        try:
            sizes[index] = os.stat(paths[index]).st_size
        except OSError:
            sizes[index] = 0
    units = workers * 8
    budget = max(1, sum(sizes.values()) // units)
    most_files = max(1, min(64, len(indices) // units))
    big = sorted((i for i in indices if sizes[i] >= budget), key=lambda i: -sizes[i])
    chunks = [[index] for index in big]
    current: list[int] = []
    cost = 0
    for index in indices:
        if sizes[index] >= budget:
            continue
        current.append(index)
        cost += sizes[index]
        if cost >= budget or len(current) >= most_files:
            chunks.append(current)
            current, cost = [], 0
    if current:
        chunks.append(current)
    return chunks


class _PoolUnavailable(Exception):
    """Worker processes cannot be started here; the run falls back to one process."""


def _pool_round(
    paths: Sequence[str],
    indices: Sequence[int],
    *,
    rules: Sequence[type[Rule]],
    settings: Settings,
    workers: int,
    sink: _InOrder,
) -> tuple[set[int], set[int]] | None:
    """Migrate ``indices`` in a fresh pool.

    Returns None when every file came back, else (files that came back, files that
    were in progress when a worker died).
    """
    import concurrent.futures
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context()
    try:
        slots = context.Array("q", [-1] * workers, lock=False)
        counter = context.Value("i", 0)
        executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(tuple(rules), settings, slots, counter),
        )
    except (OSError, ImportError, NotImplementedError) as error:
        raise _PoolUnavailable(str(error)) from error
    done: set[int] = set()

    def deliver(pairs: Iterable[tuple[int, FileResult]]) -> None:
        for index, result in pairs:
            done.add(index)
            sink.put(index, result)

    try:
        submitted = []
        for chunk in _chunks(paths, indices, workers):
            pairs = [(index, paths[index]) for index in chunk]
            submitted.append((executor.submit(_work, pairs), pairs))
        for future, pairs in submitted:
            try:
                finished = future.result()
            except BrokenProcessPool:
                suspects = {index for index in slots if index >= 0}
                for other, _ in submitted:
                    if other.done() and not other.cancelled() and other.exception() is None:
                        deliver(other.result())
                return done, suspects - done
            except Exception as error:  # noqa: BLE001 - e.g. a result that cannot be pickled
                reason = f"internal error: {type(error).__name__}: {error}"
                finished = [
                    (index, FileResult(path=path, status="failed", error=reason))
                    for index, path in pairs
                ]
            # Outside the try: an error of the caller's callback (stdout gone, a full
            # disk) is the caller's to handle, not this chunk's failure.
            deliver(finished)
    except BaseException:
        # Ctrl-C or the caller's error: end the workers rather than wait for them.
        _stop_workers(executor)
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return None


def _stop_workers(executor: concurrent.futures.ProcessPoolExecutor) -> None:
    """End the workers now instead of waiting for their chunks: they only read files,
    so nothing is lost."""
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        try:
            process.terminate()
        except (OSError, ValueError, AttributeError):
            pass


def _run_parallel(
    paths: Sequence[str],
    *,
    rules: Sequence[type[Rule]],
    settings: Settings,
    workers: int,
    sink: _InOrder,
) -> None:
    remaining = list(range(len(paths)))
    while remaining:
        try:
            outcome = _pool_round(
                paths, remaining, rules=rules, settings=settings, workers=workers, sink=sink
            )
        except _PoolUnavailable:
            outcome = None
            for index in remaining:
                sink.put(index, migrate_path(paths[index], rules=rules, settings=settings))
        if outcome is None:
            return
        done, suspects = outcome
        remaining = [index for index in remaining if index not in done]
        if not suspects:
            # A worker died outside any file (it cannot be blamed on one): finish in
            # this process rather than give up on the rest.
            for index in remaining:
                sink.put(index, migrate_path(paths[index], rules=rules, settings=settings))
            return
        # Each suspect runs alone, so that only the file that kills a worker fails.
        for index in sorted(suspects):
            try:
                alone = _pool_round(
                    paths, [index], rules=rules, settings=settings, workers=1, sink=sink
                )
            except _PoolUnavailable:
                alone = (set(), {index})
            if alone is not None:
                sink.put(
                    index, FileResult(path=paths[index], status="failed", error=WORKER_CRASHED)
                )
        remaining = [index for index in remaining if index not in suspects]


def _worker_count(jobs: int | None, file_count: int) -> int:
    jobs = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(jobs, file_count // FILES_PER_WORKER))


# The run -----------------------------------------------------------------------------


def run(
    paths: Sequence[str],
    *,
    rules: Sequence[type[Rule]],
    settings: Settings,
    write: bool,
    jobs: int | None = None,
    parallel: bool | None = None,
    progress: bool = False,
    on_result: Callable[[FileResult], None] | None = None,
    keep_output: bool = False,
) -> RunResult:
    """Migrate ``paths`` (files, as discovery lists them) and write changed ones.

    ``write`` False is a dry run (``diff``). ``jobs`` is the number of worker
    processes (default: one per CPU); ``parallel`` forces (True) or forbids (False)
    worker processes, by default they are used only for jobs > 1 and enough files.
    ``on_result`` sees each result in file order, after its file was written, with
    ``data``/``output`` set for changed files; the returned results keep those bytes
    only with ``keep_output`` (they can add up to a lot of memory on a big tree).
    """
    paths = [os.fspath(path) for path in paths]
    rules = tuple(rules)
    results: list[FileResult] = []
    bar = None
    if progress and paths:
        import sys

        import click

        bar = click.progressbar(length=len(paths), label="migrate-tf", file=sys.stderr)
        bar.__enter__()

    def release(_index: int, result: FileResult) -> None:
        if result.status == "unchanged" and not result.findings:
            # Nothing to write or print: no need to hold Ctrl-C back (two signal
            # calls per file were most of the cost of a tree without TF code).
            _release(result)
            return
        # Ctrl-C waits until this file is written (or not), printed and counted.
        with deferred_interrupts():
            _release(result)

    def _release(result: FileResult) -> None:
        if write and result.status == "changed":
            outcome = write_file(result.path, result.data, result.output)
            if outcome.error is not None:
                result = dataclasses.replace(
                    result, status="failed", error=outcome.error, applied=()
                )
        if on_result is not None:
            on_result(result)
        # (Most results never held any bytes: no copy for them.)
        if not keep_output and (result.data is not None or result.output is not None):
            result = dataclasses.replace(result, data=None, output=None)
        results.append(result)
        if bar is not None:
            bar.update(1)

    if write:
        # Temporaries of an earlier run that was killed while writing.
        directories = {os.path.dirname(path) or os.curdir for path in paths}
        remove_stale_temporaries(os.path.realpath(directory) for directory in directories)

    sink = _InOrder(release)
    workers = _worker_count(jobs, len(paths))
    if parallel is None:
        parallel = workers > 1 and len(paths) >= PARALLEL_MIN_FILES
    elif parallel:
        workers = max(1, jobs if jobs and jobs > 0 else (os.cpu_count() or 1))
    try:
        if parallel and rules and paths:
            _run_parallel(paths, rules=rules, settings=settings, workers=workers, sink=sink)
        else:
            # One process: results come in file order already, nothing to hold back.
            for index, path in enumerate(paths):
                release(index, migrate_path(path, rules=rules, settings=settings))
    except KeyboardInterrupt as interrupt:
        if isinstance(interrupt, RunInterrupted):
            raise
        raise RunInterrupted(RunResult(files=results), len(paths)) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    return RunResult(files=results)


__all__ = [
    "FileResult",
    "RunInterrupted",
    "RunResult",
    "migrate_data",
    "migrate_path",
    "run",
]
