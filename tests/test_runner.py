"""The runner: many files, parallel or not, one writer, and no bad file stops the run."""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.config import Settings
from migrate_tf.engine import runner
from migrate_tf.engine.runner import FileResult, run
from migrate_tf.rules.base import Rule

SETTINGS = Settings()
PARENT_PID = os.getpid()


class KillWorker(Rule):
    """
    ## What it does
    Kills the worker process at KILL_WORKER, as a segfault in the parser would.

    ## Why is this bad?
    ## Example
    ## Use instead
    ## When it refuses
    """

    CODE = "MTF904"
    NAME = "kill-worker"
    SUMMARY = "Kill the worker process."
    TRIGGERS = ("KILL_WORKER",)
    REQUIRED_MODULES = ()

    def visit_Name(self, node: cst.Name) -> None:
        # Never in the test process itself: that would end the test run.
        if node.value == "KILL_WORKER" and os.getpid() != PARENT_PID:
            os._exit(70)


def write(directory: Path, name: str, content: str | bytes) -> str:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def by_name(result) -> dict[str, FileResult]:
    return {Path(file.path).name: file for file in result.files}


def test_changed_files_are_written_and_counted(tmp_path, engine_test_rules):
    changed = write(tmp_path, "a.py", "x = OLD_NAME\n")
    unchanged = write(tmp_path, "b.py", "y = 1\n")
    result = run([changed, unchanged], rules=engine_test_rules, settings=SETTINGS, write=True)
    assert Path(changed).read_text() == "x = NEW_NAME\n"
    assert Path(unchanged).read_text() == "y = 1\n"
    assert [f.status for f in result.files] == ["changed", "unchanged"]
    assert result.files[0].applied == ("MTF901",)
    assert (result.scanned, result.changed, result.unchanged, result.failed, result.findings) == (
        2, 1, 1, 0, 0,
    )


def test_findings_are_collected_per_file(tmp_path, engine_test_rules):
    path = write(tmp_path, "a.py", "a = 1\nb = REPORT_ME\n")
    result = run([path], rules=engine_test_rules, settings=SETTINGS, write=True)
    [file] = result.files
    assert file.status == "unchanged"
    assert [f.format(file.path) for f in file.findings] == [
        f"{path}:2:5: MTF902 REPORT_ME needs a person"
    ]
    assert result.findings == 1


def test_dry_run_writes_nothing_and_hands_both_versions_to_the_callback(
    tmp_path, engine_test_rules
):
    path = write(tmp_path, "a.py", "x = OLD_NAME\n")
    seen = []
    result = run(
        [path], rules=engine_test_rules, settings=SETTINGS, write=False, on_result=seen.append
    )
    assert Path(path).read_text() == "x = OLD_NAME\n"
    assert [(r.status, r.data, r.output) for r in seen] == [
        ("changed", b"x = OLD_NAME\n", b"x = NEW_NAME\n")
    ]
    # The bytes are not kept once handed over (they add up on a big tree).
    assert (result.files[0].data, result.files[0].output) == (None, None)


@pytest.mark.parametrize(
    "original, migrated",
    [
        (b"\xef\xbb\xbfx = OLD_NAME  # caf\xc3\xa9\n", b"\xef\xbb\xbfx = NEW_NAME  # caf\xc3\xa9\n"),
        (
            b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\nx = OLD_NAME\n",
            b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\nx = NEW_NAME\n",
        ),
        (
            b"import os\r\n\r\nx = OLD_NAME\r\ny = 2\r\n",
            b"import os\r\n\r\nx = NEW_NAME\r\ny = 2\r\n",
        ),
        (b"x = OLD_NAME", b"x = NEW_NAME"),  # no final newline
    ],
    ids=["utf8-bom", "latin1-coding-line", "crlf", "no-final-newline"],
)
def test_encoding_bom_and_line_endings_survive_byte_for_byte(
    tmp_path, engine_test_rules, original, migrated
):
    path = write(tmp_path, "a.py", original)
    result = run([path], rules=engine_test_rules, settings=SETTINGS, write=True)
    assert result.files[0].status == "changed"
    assert Path(path).read_bytes() == migrated


def test_syntax_error_and_python2_files_fail_with_line_and_others_go_on(
    tmp_path, engine_test_rules
):
    broken = write(tmp_path, "a_broken.py", "x = OLD_NAME\ndef f(:\n    pass\n")
    python2 = write(tmp_path, "b_py2.py", "x = OLD_NAME\nprint 'hello'\n")
    fine = write(tmp_path, "c_fine.py", "x = OLD_NAME\n")
    result = run([broken, python2, fine], rules=engine_test_rules, settings=SETTINGS, write=True)
    files = by_name(result)
    assert files["a_broken.py"].status == "failed"
    assert files["a_broken.py"].error.startswith("cannot parse: line 2, column 7:")
    assert files["b_py2.py"].status == "failed"
    assert files["b_py2.py"].error.startswith("cannot parse: line 2, column 1:")
    assert "Python 2" in files["b_py2.py"].error
    assert Path(broken).read_text() == "x = OLD_NAME\ndef f(:\n    pass\n"
    assert Path(python2).read_text() == "x = OLD_NAME\nprint 'hello'\n"
    assert Path(fine).read_text() == "x = NEW_NAME\n"
    assert (result.changed, result.failed) == (1, 2)


def test_a_crashing_rule_fails_only_that_file_and_names_the_rule(tmp_path, engine_test_rules):
    crashing = write(tmp_path, "a.py", "x = OLD_NAME\ny = CRASH_ME\n")
    fine = write(tmp_path, "b.py", "x = OLD_NAME\n")
    result = run([crashing, fine], rules=engine_test_rules, settings=SETTINGS, write=True)
    files = by_name(result)
    assert files["a.py"].status == "failed"
    assert "MTF903" in files["a.py"].error and "boom" in files["a.py"].error
    assert "\n" not in files["a.py"].error
    assert Path(crashing).read_text() == "x = OLD_NAME\ny = CRASH_ME\n"
    assert files["b.py"].status == "changed"


def test_unreadable_and_undecodable_files_fail_with_a_reason(tmp_path, engine_test_rules):
    missing = str(tmp_path / "deleted_after_discovery.py")
    binary = write(tmp_path, "binary.py", b"OLD_NAME\x00\x01")
    bad_utf8 = write(tmp_path, "bad_utf8.py", b"x = OLD_NAME\ns = '\xff'\n")
    result = run([missing, binary, bad_utf8], rules=engine_test_rules, settings=SETTINGS, write=True)
    files = by_name(result)
    assert files["deleted_after_discovery.py"].error == "cannot read: No such file or directory"
    assert files["binary.py"].error.startswith("cannot decode: not a text file")
    assert files["bad_utf8.py"].error.startswith("cannot decode: line 2")
    assert result.failed == 3


def test_a_failed_write_becomes_a_failed_file_and_the_run_goes_on(
    tmp_path, engine_test_rules, monkeypatch
):
    first = write(tmp_path, "a.py", "x = OLD_NAME\n")
    second = write(tmp_path, "b.py", "x = OLD_NAME\n")
    real_replace = os.replace

    def replace(source, destination):
        if destination.endswith("a.py"):
            raise PermissionError(13, "Permission denied")
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", replace)
    result = run([first, second], rules=engine_test_rules, settings=SETTINGS, write=True)
    files = by_name(result)
    assert (files["a.py"].status, files["a.py"].error) == ("failed", "cannot write: Permission denied")
    assert Path(first).read_text() == "x = OLD_NAME\n"
    assert Path(second).read_text() == "x = NEW_NAME\n"


def test_a_file_edited_during_the_run_is_not_overwritten(tmp_path, engine_test_rules, monkeypatch):
    path = write(tmp_path, "a.py", "x = OLD_NAME\n")
    real_migrate_bytes = runner.migrate_bytes

    def migrate_while_someone_edits(data, **kwargs):
        result = real_migrate_bytes(data, **kwargs)
        Path(path).write_text("x = OLD_NAME  # edited in the editor\n")
        return result

    monkeypatch.setattr(runner, "migrate_bytes", migrate_while_someone_edits)
    result = run([path], rules=engine_test_rules, settings=SETTINGS, write=True)
    assert result.files[0].status == "failed"
    assert result.files[0].error == "changed on disk during the run; not overwritten"
    assert Path(path).read_text() == "x = OLD_NAME  # edited in the editor\n"


def test_second_apply_changes_nothing(tmp_path, engine_test_rules):
    paths = [
        write(tmp_path, "a.py", "x = OLD_NAME\ny = REPORT_ME\n"),
        write(tmp_path, "b.py", "OLD_NAME = OLD_NAME + 1\n"),
    ]
    first = run(paths, rules=engine_test_rules, settings=SETTINGS, write=True)
    contents = [Path(p).read_bytes() for p in paths]
    second = run(paths, rules=engine_test_rules, settings=SETTINGS, write=True)
    assert first.changed == 2
    assert second.changed == 0 and second.unchanged == 2
    assert [Path(p).read_bytes() for p in paths] == contents


def test_suppression_comment_leaves_the_statement_alone(tmp_path, engine_test_rules):
    path = write(
        tmp_path,
        "a.py",
        "a = OLD_NAME  # migrate-tf: ignore\n"
        "b = OLD_NAME  # migrate-tf: ignore[MTF902]\n"
        "c = OLD_NAME\n",
    )
    run([path], rules=engine_test_rules, settings=SETTINGS, write=True)
    assert Path(path).read_text() == (
        "a = OLD_NAME  # migrate-tf: ignore\n"
        "b = NEW_NAME  # migrate-tf: ignore[MTF902]\n"
        "c = NEW_NAME\n"
    )


def make_tree(tmp_path: Path, count: int) -> list[str]:
    """Files of every kind: changed, unchanged, with findings, broken, crashing."""
    kinds = [
        "x = OLD_NAME\n",
        "y = 1\n",
        "z = REPORT_ME\nw = OLD_NAME\n",
        "def broken(:\n",
        "c = CRASH_ME\n",
    ]
    return [write(tmp_path, f"f{index:03}.py", kinds[index % len(kinds)]) for index in range(count)]


def summary(result) -> list[tuple]:
    return [(f.path, f.status, f.error, f.findings, f.applied) for f in result.files]


def test_parallel_results_equal_serial_results(tmp_path, engine_test_rules):
    serial_dir, parallel_dir = tmp_path / "serial", tmp_path / "parallel"
    serial_paths = make_tree(serial_dir, 40)
    parallel_paths = make_tree(parallel_dir, 40)
    serial = run(serial_paths, rules=engine_test_rules, settings=SETTINGS, write=True, jobs=1)
    parallel = run(
        parallel_paths, rules=engine_test_rules, settings=SETTINGS, write=True, jobs=2, parallel=True
    )
    normalize = lambda rows, base: [(Path(r[0]).relative_to(base), *r[1:]) for r in rows]  # noqa: E731
    assert normalize(summary(parallel), parallel_dir) == normalize(summary(serial), serial_dir)
    assert [Path(p).read_bytes() for p in parallel_paths] == [
        Path(p).read_bytes() for p in serial_paths
    ]
    assert [f.path for f in parallel.files] == parallel_paths


def test_automatic_mode_runs_small_batches_in_process(tmp_path, engine_test_rules, monkeypatch):
    paths = make_tree(tmp_path, 5)

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for five files")

    monkeypatch.setattr(runner, "_run_parallel", no_pool)
    result = run(paths, rules=engine_test_rules, settings=SETTINGS, write=False, jobs=4)
    assert result.scanned == 5


def test_a_worker_process_dying_fails_only_its_file(tmp_path, engine_test_rules):
    rules = (*engine_test_rules, KillWorker)
    paths = [write(tmp_path, f"f{index:02}.py", "x = OLD_NAME\n") for index in range(12)]
    killer = write(tmp_path, "f05.py", "x = OLD_NAME\ny = KILL_WORKER\n")
    result = run(paths, rules=rules, settings=SETTINGS, write=True, jobs=2, parallel=True)
    statuses = {Path(f.path).name: f.status for f in result.files}
    assert statuses.pop("f05.py") == "failed"
    assert set(statuses.values()) == {"changed"}
    assert "worker process" in by_name(result)["f05.py"].error
    assert Path(killer).read_text() == "x = OLD_NAME\ny = KILL_WORKER\n"
    assert [f.path for f in result.files] == paths


def test_no_rules_reads_every_file_and_changes_nothing(tmp_path):
    paths = make_tree(tmp_path, 5)
    result = run(paths, rules=(), settings=SETTINGS, write=True, jobs=2, parallel=True)
    assert (result.scanned, result.unchanged) == (5, 5)


def test_progress_bar_goes_to_stderr(tmp_path, engine_test_rules, capsys):
    paths = make_tree(tmp_path, 3)
    run(paths, rules=engine_test_rules, settings=SETTINGS, write=False, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "migrate-tf" in captured.err



@pytest.mark.parametrize("size", [0, 1, 4095, 65536, 65537, 300_000])
def test_files_are_read_whole_as_open_reads_them(tmp_path, size):
    data = bytes(index % 251 for index in range(size))
    path = write(tmp_path, "a.py", data)
    assert runner._read_file(path) == data


def test_a_file_whose_size_understates_it_is_still_read_whole():
    # /proc files say 0 bytes and hold more: the read goes on to the end.
    if not os.path.exists("/proc/self/status"):
        pytest.skip("no /proc")
    data = runner._read_file("/proc/self/status")
    assert data.startswith(b"Name:") and data.endswith(b"\n")


def test_a_directory_or_missing_file_fails_to_read_as_with_open(tmp_path, engine_test_rules):
    (tmp_path / "pkg.py").mkdir()
    result = run(
        [str(tmp_path / "pkg.py"), str(tmp_path / "gone.py")],
        rules=engine_test_rules, settings=SETTINGS, write=False,
    )
    assert [file.error for file in result.files] == [
        "cannot read: Is a directory", "cannot read: No such file or directory",
    ]
