"""The worker side of the protocol: limits, the request loop, containment of user code.

``python -m migrate_tf.harness.workers.<process> --requests R --responses W --memory-mb N``

* R and W are pipe file descriptors the parent passed; requests and responses are
  JSON lines. Nothing of the protocol goes over stdout or stderr.
* Before TensorFlow is imported: a watchdog thread ends the process when the parent
  process is gone, the address space is limited to N MB (``RLIMIT_AS``), and file
  descriptor 1 points at a scratch file, so whatever user code prints (Python or C)
  is captured per job and reported, never mixed into anything. Bytecode is not
  written next to user files.
* Then it imports its side (TensorFlow, ~5 s) and answers ``{"ready": true}``.
* For each job it answers ``{"stage": "import"}`` before importing the user's module
  and ``{"stage": "run"}`` before running it, then ``{"result": ...}``. Exceptions,
  ``sys.exit``, and ``MemoryError`` in user code become a failed result; a crash,
  ``os._exit`` or a hang are seen by the parent (end of pipe, or its timeout).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import traceback
from typing import Any, Callable

TRACEBACK_LINES = 12
STDOUT_LIMIT = 400


def _die_with_parent(parent: int) -> None:
    """End this process when the parent process is gone, even while user code runs.

    A watchdog thread compares ``getppid()`` with the parent's pid (an orphan is
    re-parented). ``PR_SET_PDEATHSIG`` is not used: it fires when the parent *thread*
    that started us ends, and the parent starts workers from short-lived threads.
    """
    import threading

    if not parent:
        return
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="migrate-tf-parent-watch", daemon=True).start()


def _limit_memory(megabytes: int) -> None:
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


class Channel:
    def __init__(self, requests_fd: int, responses_fd: int) -> None:
        self.requests = os.fdopen(requests_fd, "rb", buffering=0)
        self.responses_fd = responses_fd
        self._buffer = b""

    def send(self, message: dict) -> None:
        data = (json.dumps(message) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(self.responses_fd, view)
            view = view[written:]

    def receive(self) -> dict | None:
        while b"\n" not in self._buffer:
            chunk = self.requests.read(65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)


class StdoutCapture:
    """File descriptor 1 points at a scratch file; :meth:`take` returns what was printed."""

    def __init__(self) -> None:
        import tempfile

        sys.stdout.flush()
        self.file = tempfile.TemporaryFile()
        os.dup2(self.file.fileno(), 1)

    def take(self) -> str:
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        fd = self.file.fileno()
        size = os.lseek(fd, 0, os.SEEK_END)
        text = ""
        if size:
            os.lseek(fd, 0, os.SEEK_SET)
            text = os.read(fd, min(size, 4096)).decode("utf-8", "replace")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        return text


def short_traceback(error: BaseException) -> str:
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    text = "".join(lines).rstrip().splitlines()
    return "\n".join(text[-TRACEBACK_LINES:])


def describe_error(error: BaseException, memory_mb: int) -> dict:
    if isinstance(error, SystemExit):
        return {"kind": "exit", "error": f"the code called sys.exit({error.code!r})"}
    if isinstance(error, KeyboardInterrupt):
        return {"kind": "exit", "error": "the code raised KeyboardInterrupt"}
    if isinstance(error, MemoryError):
        return {"kind": "memory", "error": f"ran out of memory (limit {memory_mb} MB per side)"}
    message = str(error).strip().splitlines()
    first = message[0] if message else ""
    if len(first) > 300:
        first = first[:300] + "..."
    return {
        "kind": "error",
        "error": f"{type(error).__name__}: {first}" if first else type(error).__name__,
        "traceback": short_traceback(error),
    }


def serve(side_name: str, make_side: Callable[[], Any], argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"migrate_tf.harness.workers.{side_name}")
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--responses", type=int, required=True)
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--parent", type=int, default=0)
    options = parser.parse_args(argv)

    _die_with_parent(options.parent)
    sys.dont_write_bytecode = True
    _limit_memory(options.memory_mb)
    channel = Channel(options.requests, options.responses)
    capture = StdoutCapture()
    try:
        side = make_side()
    except BaseException as error:  # noqa: BLE001 - reported to the parent
        channel.send({"ready": False, **describe_error(error, options.memory_mb)})
        return 1
    channel.send({"ready": True, "side": side_name, "versions": side.versions()})
    capture.take()

    while True:
        job = channel.receive()
        if job is None or job.get("op") == "exit":
            return 0
        started = time.monotonic()
        result = run_job(side, job, channel, options.memory_mb)
        result["seconds"] = round(time.monotonic() - started, 3)
        printed = capture.take()
        if printed:
            result["stdout"] = printed[:STDOUT_LIMIT]
        channel.send({"result": result, "id": job.get("id")})


def run_job(side, job: dict, channel: Channel, memory_mb: int) -> dict:
    stage = "import"
    try:
        channel.send({"stage": "import", "module": job["module"]["path"]})
        if hasattr(side, "for_job"):  # a process that hosts more than one side
            side = side.for_job(job)
        module = side.load(job["module"])
        stage = "run"
        channel.send({"stage": "run"})
        record = side.run(module, job)
        return {"ok": True, "record": record}
    except BaseException as error:  # noqa: BLE001 - user code may raise anything
        return {"ok": False, "stage": stage, **describe_error(error, memory_mb)}
