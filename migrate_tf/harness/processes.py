"""The parent side of the worker processes. Imports no TensorFlow.

Two worker processes run every job of a run, whatever the number of jobs: the
*legacy* process runs the old code (the ``keras2`` jobs, then the ``tf1`` jobs: TF1's
graph mode cannot be left once entered, see :mod:`~migrate_tf.harness.workers.legacy`)
and the *keras3* process the new code. Each talks over two pipes of its own (JSON
lines) and runs in a thread of the parent, so both start (TensorFlow takes ~5 s to
import) and work in parallel.

Containment: a worker is started in a new session (its own process group), with an
address-space limit and a request to die with the parent. Each job has a timeout;
when it passes, or the worker dies (a crash, ``os._exit``, ``os.abort()``, the
memory limit), the job gets that reason, the whole process group is killed and a
fresh worker is started for the remaining jobs. A module whose import hung or
crashed is not imported again: its other jobs get the same reason. At the end the
process group is killed whatever happened, so nothing the user's code started stays
behind.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

MODULES = {
    "legacy": "migrate_tf.harness.workers.legacy",
    "keras3": "migrate_tf.harness.workers.keras3",
}
#: The worker process that runs each side's jobs.
PROCESS_OF_SIDE = {"keras2": "legacy", "tf1": "legacy", "keras3": "keras3"}
SIDE_NAMES = {
    "tf1": "TF1 (compat.v1 graph)",
    "keras2": "Keras 2 (tf-keras)",
    "keras3": "Keras 3",
    "legacy": "TF1 and Keras 2 (tf-keras)",
}
#: Importing TensorFlow takes ~5 s; on a loaded machine much longer.
STARTUP_TIMEOUT = 180.0
#: A worker that cannot start this many times in a row gives up on its side.
MAX_START_FAILURES = 2


@dataclasses.dataclass
class Limits:
    timeout: float = 60.0  # seconds per job
    memory_mb: int = 4096  # address space per worker process


def worker_environment(side: str) -> dict:
    env = dict(os.environ)
    env.update(
        TF_CPP_MIN_LOG_LEVEL="3",
        CUDA_VISIBLE_DEVICES="",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
        PYTHONUNBUFFERED="1",
        KERAS_BACKEND="tensorflow",
        MALLOC_ARENA_MAX="2",
        TF_NUM_INTEROP_THREADS="1",
    )
    if side == "keras3":
        env.pop("TF_USE_LEGACY_KERAS", None)
    else:
        env["TF_USE_LEGACY_KERAS"] = "1"
    # the package must be importable in the child even when run from a checkout
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(
        [package_root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    return env


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class WorkerDied(Exception):
    pass


class Worker:
    """One worker process of a side, restarted when it dies."""

    def __init__(self, side: str, limits: Limits, log_dir: Path) -> None:
        self.side = side
        self.limits = limits
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.versions: dict = {}
        self.starts = 0
        self.start_failures = 0
        self.start_seconds: list[float] = []
        #: a TF1 job was sent: the process is in graph mode for good
        self.graph_mode = False
        self._requests = -1
        self._responses = -1
        self._buffer = b""
        self._log = None
        self.pids: list[int] = []

    # life cycle -----------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> str | None:
        """Start a worker and wait until it is ready; the reason when it cannot."""
        self.stop()
        started = time.monotonic()
        self.starts += 1
        self.graph_mode = False
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        self._log = open(self.log_dir / f"{self.side}-{self.starts}.log", "w+b")
        command = [
            sys.executable,
            "-m",
            MODULES[self.side],
            "--requests", str(request_read),
            "--responses", str(response_write),
            "--memory-mb", str(self.limits.memory_mb),
            "--parent", str(os.getpid()),
        ]
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
                env=worker_environment(self.side),
                cwd=os.getcwd(),
                pass_fds=(request_read, response_write),
                start_new_session=True,
                close_fds=True,
            )
        except OSError as error:
            for fd in (request_read, request_write, response_read, response_write):
                os.close(fd)
            self.start_failures += 1
            return f"cannot start the {SIDE_NAMES[self.side]} worker: {error}"
        self.pids.append(self.process.pid)
        os.close(request_read)
        os.close(response_write)
        self._requests, self._responses = request_write, response_read
        self._buffer = b""
        try:
            message = self._receive(time.monotonic() + STARTUP_TIMEOUT)
        except TimeoutError:
            self.stop()
            self.start_failures += 1
            return f"the {SIDE_NAMES[self.side]} worker did not start within {STARTUP_TIMEOUT:.0f} s"
        except WorkerDied as died:
            self.start_failures += 1
            return f"the {SIDE_NAMES[self.side]} worker failed to start ({died}){self.log_tail()}"
        if not message.get("ready"):
            self.stop()
            self.start_failures += 1
            return (
                f"the {SIDE_NAMES[self.side]} worker failed to start: "
                f"{message.get('error', 'unknown error')}"
            )
        self.versions = message.get("versions", {})
        self.start_failures = 0
        self.start_seconds.append(time.monotonic() - started)
        return None

    def stop(self) -> None:
        """End the worker and everything in its process group; close the pipes."""
        process = self.process
        if process is not None:
            # No graceful exit: the worker holds nothing worth saving, and TensorFlow
            # takes a second or two to tear down. The whole group goes, so anything
            # the user's code started goes with it.
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not fail
                pass
        for fd in (self._requests, self._responses):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._requests = self._responses = -1
        if self._log is not None:
            self._log.close()
            self._log = None
        self.process = None

    def kill(self) -> None:
        """Kill the process group at once (a timeout)."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.stop()

    # jobs -------------------------------------------------------------------------------

    def run(self, job: dict, timeout: float) -> dict:
        """Run one job; a failed result (with ``kind`` and ``error``) when it cannot."""
        stage = "start"
        deadline = time.monotonic() + timeout
        try:
            os.write(self._requests, (json.dumps(job) + "\n").encode("utf-8"))
            stage = "import"
            while True:
                message = self._receive(deadline)
                if "stage" in message:
                    stage = message["stage"]
                    continue
                if "result" in message:
                    return message["result"]
        except TimeoutError:
            self.kill()
            return {"ok": False, "stage": stage, "kind": "timeout",
                    "error": f"timed out after {timeout:g} s"}
        except (WorkerDied, BrokenPipeError, OSError) as died:
            reason = self._death_reason(died)
            self.kill()
            return {"ok": False, "stage": stage, "kind": "crash", "error": reason}

    def _death_reason(self, died: Exception) -> str:
        process = self.process
        code = None
        if process is not None:
            try:
                code = process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
        if code is None:
            return f"the worker stopped answering ({died})"
        if code < 0:
            name = _signal_name(-code)
            if name == "SIGABRT":
                return "the process aborted (SIGABRT, e.g. os.abort() or a failed C++ check)"
            if name == "SIGKILL":
                return f"the process was killed (SIGKILL; out of memory? limit {self.limits.memory_mb} MB)"
            return f"the process crashed ({name})"
        return f"the process exited with status {code} (os._exit or a C library exit)"

    def _receive(self, deadline: float) -> dict:
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._responses], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._responses, 1 << 20)
            if not chunk:
                raise WorkerDied("end of its output")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def log_tail(self, limit: int = 1500) -> str:
        if self._log is None:
            return ""
        try:
            self._log.flush()
            self._log.seek(0)
            text = self._log.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
        text = "\n".join(
            line for line in text.splitlines() if line.strip() and not line.startswith(("WARNING: All log", "I0000"))
        )
        return ("\n" + text[-limit:]) if text else ""


@dataclasses.dataclass
class SideRun:
    """What one side did: results by job id, and how its processes went."""

    side: str
    results: dict[str, dict] = dataclasses.field(default_factory=dict)
    starts: int = 0
    start_seconds: list[float] = dataclasses.field(default_factory=list)
    versions: dict = dataclasses.field(default_factory=dict)
    pids: list[int] = dataclasses.field(default_factory=list)
    seconds: float = 0.0


def run_side(
    worker: Worker,
    jobs: list[dict],
    timeout: float,
    stop: threading.Event | None = None,
) -> SideRun:
    """Run ``jobs`` (each with an ``id`` and a ``side``) in ``worker``, (re)starting it
    as needed: when it died, and for a Keras 2 job after a TF1 one."""
    started = time.monotonic()
    run = SideRun(worker.side)
    starts, seconds, pids = worker.starts, len(worker.start_seconds), len(worker.pids)
    broken_modules: dict[str, dict] = {}
    give_up: str | None = None
    try:
        for job in jobs:
            if stop is not None and stop.is_set():
                result = {"ok": False, "stage": "start", "kind": "interrupted", "error": "interrupted"}
            elif give_up is not None:
                result = {"ok": False, "stage": "start", "kind": "start", "error": give_up}
            elif job["module"]["path"] in broken_modules:
                result = dict(broken_modules[job["module"]["path"]])
            else:
                problem = None
                if worker.graph_mode and job["side"] != "tf1":
                    worker.stop()  # graph mode cannot be left: a fresh process
                if not worker.alive:
                    worker.start_failures = 0
                    problem = worker.start()
                    while problem is not None and worker.start_failures < MAX_START_FAILURES:
                        problem = worker.start()
                if problem is not None:
                    give_up = problem
                    result = {"ok": False, "stage": "start", "kind": "start", "error": problem}
                else:
                    worker.graph_mode = worker.graph_mode or job["side"] == "tf1"
                    result = worker.run(job, timeout)
                    if not result.get("ok") and result.get("stage") == "import" and result.get(
                        "kind"
                    ) in ("timeout", "crash"):
                        broken_modules[job["module"]["path"]] = {
                            **result,
                            "error": f"importing the module: {result['error']}",
                        }
            run.results[job["id"]] = result
    finally:
        run.starts = worker.starts - starts
        run.start_seconds = worker.start_seconds[seconds:]
        run.versions = worker.versions
        run.pids = worker.pids[pids:]
        run.seconds = time.monotonic() - started
    return run


class Pool:
    """One worker per side, started on first use and kept for further runs until
    :meth:`close` (``verify`` uses a pool for one run, ``apply --verify`` one for its
    rounds, tests share one). A worker imports each module path once: a pool is for
    files that do not change while it lives."""

    def __init__(self, memory_mb: int = Limits.memory_mb) -> None:
        self.memory_mb = memory_mb
        self.log_dir = Path(tempfile.mkdtemp(prefix="migrate-tf-workers-"))
        self.workers: dict[str, Worker] = {}

    def worker(self, side: str) -> Worker:
        if side not in self.workers:
            self.workers[side] = Worker(side, Limits(memory_mb=self.memory_mb), self.log_dir)
        return self.workers[side]

    def run(self, jobs_by_side: dict[str, list[dict]], timeout: float) -> dict[str, SideRun]:
        """Every worker process in its own thread, so they start and run in parallel;
        what each did, by process (``legacy``, ``keras3``)."""
        jobs_by_side = jobs_by_process(jobs_by_side)
        runs: dict[str, SideRun] = {}
        errors: list[BaseException] = []
        stop = threading.Event()

        def target(side: str, jobs: list[dict]) -> None:
            try:
                runs[side] = run_side(self.worker(side), jobs, timeout, stop=stop)
            except BaseException as error:  # noqa: BLE001 - re-raised in the main thread
                errors.append(error)

        threads = [
            threading.Thread(target=target, args=(side, jobs), name=f"migrate-tf-{side}", daemon=True)
            for side, jobs in jobs_by_side.items()
            if jobs
        ]
        for side, jobs in jobs_by_side.items():
            if jobs:
                self.worker(side)
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.2)
        except BaseException:
            # Ctrl-C: no new job starts, and the running ones end now.
            stop.set()
            for worker in list(self.workers.values()):
                process = worker.process
                if process is not None:
                    try:
                        os.killpg(process.pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            for thread in threads:
                thread.join(30)
            raise
        if errors:
            raise errors[0]
        return runs

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()
        _remove_tree(self.log_dir)

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def jobs_by_process(jobs_by_side: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The jobs of each worker process; the legacy process gets its Keras 2 jobs before
    its TF1 jobs (TF1's graph mode, once entered, is for good)."""
    grouped: dict[str, list[dict]] = {}
    for side in ("keras2", "tf1", "keras3"):
        for job in jobs_by_side.get(side, ()):
            if job.get("side", side) != side:
                raise ValueError(f"a {job.get('side')} job among the {side} jobs")
            grouped.setdefault(PROCESS_OF_SIDE[side], []).append({**job, "side": side})
    unknown = set(jobs_by_side) - set(PROCESS_OF_SIDE)
    if unknown:
        raise ValueError(f"no worker process runs {', '.join(sorted(unknown))} jobs")
    return grouped


def run_sides(jobs_by_side: dict[str, list[dict]], limits: Limits) -> dict[str, SideRun]:
    """Run the jobs in a pool of their own, closed (every process ended) at the end."""
    with Pool(limits.memory_mb) as pool:
        return pool.run(jobs_by_side, limits.timeout)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


__all__ = ["Limits", "Pool", "SideRun", "Worker", "jobs_by_process", "run_side", "run_sides"]
