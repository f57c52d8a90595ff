"""Writing migrated files without ever leaving a broken or half-written one.

A file is replaced atomically: the new bytes go to a temporary file in the same
directory (same file system, so the rename is atomic), are flushed and fsynced, get
the original's permission bits (and owner, when we are allowed to set it), and then
``os.replace`` swaps them in. A crash, a full disk or a permission error at any point
leaves the original untouched and removes the temporary file.

Just before writing, the file is read again: if it is no longer the bytes the
migration started from (an editor saved it, a formatter ran), it is not overwritten.
A read-only file is not replaced either (the rename would allow it).
A symlink is written through (its target is replaced), so it stays a symlink.

An interrupt (Ctrl-C) that arrives while a file is being replaced is held back until
the file is either replaced or left untouched, so that the run can say exactly which
files it wrote. A run killed outright (SIGKILL, a power cut) can still leave a
temporary file behind; its name carries the writer's process id, and the next
writing run removes temporaries whose process is gone (see
:func:`remove_stale_temporaries`). Temporaries never end in ``.py``, so discovery
never takes one for a source file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import threading
import time
from typing import Iterable, Iterator

TEMP_PREFIX = ".migrate-tf-tmp-"
#: ``.migrate-tf-tmp-<pid>-<random>``; older versions wrote no process id.
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r"(?:(?P<pid>\d+)-)?[^/\\]*$")
#: A temporary this old is stale whoever made it: writing one file takes a moment.
STALE_AFTER_SECONDS = 3600
CHANGED_ON_DISK = "changed on disk during the run; not overwritten"
READ_ONLY = "cannot write: the file is read-only"


@dataclasses.dataclass(frozen=True)
class WriteResult:
    """``written`` is True when the file was replaced; ``error`` says why it was not."""

    written: bool
    error: str | None = None


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable; best effort (not every platform allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold back SIGINT (KeyboardInterrupt) until the block is done, then raise it.

    Only the main thread receives Python signal handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        previous = signal.getsignal(signal.SIGINT)
    except (ValueError, OSError):  # pragma: no cover - no signal support here
        yield
        return
    if previous is None or previous in (signal.SIG_IGN, signal.SIG_DFL):
        # Not installed by Python (or ignored): nothing would raise in the block.
        yield
        return
    received: list[tuple] = []

    def hold(signum, frame) -> None:
        received.append((signum, frame))

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received and callable(previous):
            previous(*received[0])


def write_file(path: str | os.PathLike, original: bytes, output: bytes) -> WriteResult:
    """Replace the file at ``path`` (whose bytes were ``original``) with ``output``.

    Never raises ``OSError``: failures come back as ``WriteResult.error`` and the file
    on disk is then exactly what it was.
    """
    if output == original:
        return WriteResult(written=False)
    target = os.path.realpath(path)
    try:
        with open(target, "rb") as handle:
            current = handle.read()
        status = os.stat(target)
    except OSError as error:
        return WriteResult(written=False, error=f"cannot read before writing: {_reason(error)}")
    if current != original:
        return WriteResult(written=False, error=CHANGED_ON_DISK)
    # Replacing goes through the directory, so it would succeed on a read-only file;
    # a read-only file is somebody's decision (generated, vendored), so respect it.
    if not status.st_mode & 0o222 or not os.access(target, os.W_OK):
        return WriteResult(written=False, error=READ_ONLY)

    with deferred_interrupts():
        return _replace(target, output, status)


def _replace(target: str, output: bytes, status: os.stat_result) -> WriteResult:
    import tempfile  # here, where a file is written: not on the editor action's start-up

    directory = os.path.dirname(target)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=directory)
    except OSError as error:
        return WriteResult(written=False, error=f"cannot write: {_reason(error)}")
    try:
        try:
            _write_all(fd, output)
            if hasattr(os, "fchmod"):
                os.fchmod(fd, status.st_mode & 0o7777)
            else:  # pragma: no cover - Windows before Python 3.13
                os.chmod(temporary, status.st_mode & 0o7777)
            if hasattr(os, "fchown"):
                try:
                    os.fchown(fd, status.st_uid, status.st_gid)
                except OSError:
                    # Only root may give a file away; the new file keeps our owner.
                    pass
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    except BaseException as error:
        # Also on KeyboardInterrupt: never leave a temporary file behind.
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            return WriteResult(written=False, error=f"cannot write: {_reason(error)}")
        raise
    _fsync_directory(directory)
    return WriteResult(written=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or we cannot tell: leave its file alone
    return True


def is_temporary(name: str) -> bool:
    """Whether a file name is one of this writer's temporaries."""
    return name.startswith(TEMP_PREFIX)


def remove_stale_temporaries(directories: Iterable[str | os.PathLike]) -> list[str]:
    """Remove temporaries a killed run left in ``directories``; returns their paths.

    A temporary is stale when the process that made it is gone (by the process id in
    its name) or when it is older than :data:`STALE_AFTER_SECONDS`. Never raises.
    """
    removed = []
    now = time.time()
    for directory in dict.fromkeys(os.fspath(d) for d in directories):
        try:
            with os.scandir(directory) as entries:
                candidates = [entry for entry in entries if is_temporary(entry.name)]
        except OSError:
            continue
        for entry in candidates:
            match = _TEMP_NAME.match(entry.name)
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                age = now - entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            pid = match.group("pid") if match else None
            if age < STALE_AFTER_SECONDS and (pid is None or _process_alive(int(pid))):
                continue
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(entry.path)
    return removed


__all__ = [
    "CHANGED_ON_DISK",
    "READ_ONLY",
    "TEMP_PREFIX",
    "WriteResult",
    "deferred_interrupts",
    "is_temporary",
    "remove_stale_temporaries",
    "write_file",
]
