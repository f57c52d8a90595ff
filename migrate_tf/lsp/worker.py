"""The language server's migrations, run in a process of their own.

A migration is CPU-bound Python and, in LibCST's parser, one long native call that
holds the interpreter lock: run in a thread of the server, it would stall the event
loop (every request, cancellation and notification) for as long as that call takes,
a tenth of a second on a 1,000-line file. In a worker process it cannot: the
server's worker thread only waits for the result (the lock is free meanwhile), and
the event loop answers requests on time.

:class:`Migrations` runs the functions below in one worker process (started with
``spawn``: the server has threads, which ``fork`` copies badly). When no worker
process can be started, or one dies, the function runs in the calling thread, as
before: slower to answer, never wrong.
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from migrate_tf.lsp.analysis import Analysis, Projects, analyse

logger = logging.getLogger("migrate_tf.lsp")

_projects: Projects | None = None


def _worker_projects() -> Projects:
    """The configuration cache of this process (it notices a changed pyproject.toml
    by its modification time)."""
    global _projects
    if _projects is None:
        _projects = Projects()
    return _projects


def analyse_document(
    text: str, path: Path | None, version: int | None, start: Path | None
) -> Analysis:
    """:func:`~migrate_tf.lsp.analysis.analyse`, warmed for code actions."""
    analysis = analyse(text, path, projects=_worker_projects(), version=version, start=start)
    analysis.warm()
    return analysis


def analyse_notebook(
    cells: Sequence[Any], path: Path | None, version: int | None, start: Path | None, metadata: Any
) -> Any:
    """:func:`~migrate_tf.lsp.notebook.analyse_cells`, warmed for code actions."""
    from migrate_tf.lsp.notebook import analyse_cells

    analysis = analyse_cells(
        cells, path, projects=_worker_projects(), version=version, start=start, metadata=metadata
    )
    analysis.warm()
    return analysis


def construct_edits(analysis: Any, conversion: Any) -> Any:
    """The edits that make one conversion alone (``analysis.construct_edits``)."""
    return analysis.construct_edits(conversion)


def _protect_the_protocol_stream() -> None:
    """In the worker, first: its standard output is the server's, which carries the
    LSP messages; anything printed there would corrupt them. It goes to stderr."""
    try:
        os.dup2(2, 1)
    except OSError:
        pass
    sys.stdout = sys.stderr


def ready() -> bool:
    """Nothing: the worker has imported this module (and the pipeline) once it returns."""
    return True


class Migrations:
    """One worker process for migrations; the calling thread when there is none."""

    def __init__(self, use_process: bool = True) -> None:
        self._use_process = use_process
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._closed = False

    def start(self) -> None:
        """Start the worker process and let it import the pipeline, in the background."""
        pool = self._get_pool()
        if pool is not None:
            try:
                pool.submit(ready)
            except RuntimeError:  # broken or shut down meanwhile
                pass

    def _get_pool(self) -> concurrent.futures.ProcessPoolExecutor | None:
        with self._lock:
            if self._closed or not self._use_process:
                return None
            if self._pool is None:
                import multiprocessing

                try:
                    self._pool = concurrent.futures.ProcessPoolExecutor(
                        max_workers=1,
                        mp_context=multiprocessing.get_context("spawn"),
                        initializer=_protect_the_protocol_stream,
                    )
                except (OSError, ValueError, ImportError) as error:
                    logger.warning("migrations run in the server process: %s", error)
                    self._use_process = False
                    return None
            return self._pool

    def _discard(self, pool: concurrent.futures.ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def run(self, function: Callable[..., Any], *arguments: Any) -> Any:
        """``function(*arguments)`` in the worker process (call from a thread, not the
        event loop: it waits for the result)."""
        for _attempt in range(2):  # a worker that died is replaced once
            pool = self._get_pool()
            if pool is None:
                break
            try:
                future = pool.submit(function, *arguments)
            except RuntimeError:  # broken, or shut down meanwhile
                self._discard(pool)
                continue
            try:
                return future.result()
            except concurrent.futures.process.BrokenProcessPool as error:
                logger.warning("the migration worker process stopped: %s", error)
                self._discard(pool)
        return function(*arguments)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


__all__ = [
    "Migrations",
    "analyse_document",
    "analyse_notebook",
    "construct_edits",
    "ready",
]
