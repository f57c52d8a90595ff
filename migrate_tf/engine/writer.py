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
"""

from __future__ import annotations

import dataclasses
import os
import tempfile

TEMP_PREFIX = ".migrate-tf-tmp-"
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

    directory = os.path.dirname(target)
    try:
        fd, temporary = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
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


__all__ = ["CHANGED_ON_DISK", "READ_ONLY", "TEMP_PREFIX", "WriteResult", "write_file"]
