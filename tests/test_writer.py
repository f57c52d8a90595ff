"""Safe writes: atomic, permission-keeping, never on unchanged or concurrently edited files."""

from __future__ import annotations

import errno
import os
import stat
import tempfile

import pytest

from migrate_tf.engine.writer import CHANGED_ON_DISK, TEMP_PREFIX, write_file


def temp_files(directory) -> list[str]:
    return [name for name in os.listdir(directory) if name.startswith(TEMP_PREFIX)]


def test_write_replaces_the_content_and_keeps_permission_bits(tmp_path):
    path = tmp_path / "script.py"
    path.write_bytes(b"old\n")
    path.chmod(0o754)
    result = write_file(path, b"old\n", b"new\n")
    assert result.written and result.error is None
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o754
    assert temp_files(tmp_path) == []


def test_write_goes_through_a_temporary_file_and_an_atomic_rename(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    path.write_bytes(b"old\n")
    renames = []
    real_replace = os.replace

    def replace(source, destination):
        # At the moment of the rename the original is still whole.
        renames.append((os.path.basename(source), path.read_bytes()))
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", replace)
    write_file(path, b"old\n", b"new\n")
    assert len(renames) == 1
    assert renames[0][0].startswith(TEMP_PREFIX) and renames[0][1] == b"old\n"


def test_no_write_when_output_equals_input(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"same\n")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = path.stat()
    result = write_file(path, b"same\n", b"same\n")
    after = path.stat()
    assert not result.written and result.error is None
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert path.read_bytes() == b"same\n"


def test_disk_full_while_writing_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    path.write_bytes(b"original\n")

    def write(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", write)
    result = write_file(path, b"original\n", b"migrated\n")
    assert not result.written
    assert result.error == "cannot write: No space left on device"
    assert path.read_bytes() == b"original\n"
    assert temp_files(tmp_path) == []


def test_failed_rename_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    path.write_bytes(b"original\n")

    def replace(source, destination):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", replace)
    result = write_file(path, b"original\n", b"migrated\n")
    assert result.error == "cannot write: Permission denied"
    assert path.read_bytes() == b"original\n"
    assert temp_files(tmp_path) == []


def test_a_directory_where_no_temporary_file_can_be_created_is_an_error(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    path.write_bytes(b"original\n")

    def mkstemp(**kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    result = write_file(path, b"original\n", b"migrated\n")
    assert result.error == "cannot write: Permission denied"
    assert path.read_bytes() == b"original\n"


def test_interrupt_during_write_removes_the_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "a.py"
    path.write_bytes(b"original\n")

    def fsync(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(KeyboardInterrupt):
        write_file(path, b"original\n", b"migrated\n")
    assert path.read_bytes() == b"original\n"
    assert temp_files(tmp_path) == []


def test_file_changed_on_disk_during_the_run_is_not_overwritten(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"edited by someone else\n")
    result = write_file(path, b"what the migration read\n", b"migrated\n")
    assert not result.written
    assert result.error == CHANGED_ON_DISK
    assert path.read_bytes() == b"edited by someone else\n"


def test_file_deleted_during_the_run_is_an_error(tmp_path):
    result = write_file(tmp_path / "gone.py", b"old\n", b"new\n")
    assert result.error == "cannot read before writing: No such file or directory"
    assert not (tmp_path / "gone.py").exists()


def test_writing_through_a_symlink_keeps_the_symlink(tmp_path):
    target = tmp_path / "real.py"
    target.write_bytes(b"old\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    assert write_file(link, b"old\n", b"new\n").written
    assert link.is_symlink()
    assert target.read_bytes() == b"new\n"


def test_a_read_only_file_is_not_replaced(tmp_path):
    path = tmp_path / "generated.py"
    path.write_bytes(b"old\n")
    path.chmod(0o444)
    result = write_file(path, b"old\n", b"new\n")
    assert result.error == "cannot write: the file is read-only"
    assert path.read_bytes() == b"old\n"
    assert temp_files(tmp_path) == []
