"""Issue 8's bad-input matrix: every input through apply, diff and the stdin action.

The cases live in ``reliability_cases.py`` (``make reliability`` prints the same matrix
against the real command line in subprocesses). Here each cell runs the CLI in-process
(CliRunner, real rules), except cells whose stdout must be a full device, which run
``migrate-tf`` in a subprocess with stdout on /dev/full. Each cell checks: the exit code;
the one error line (and no other, and no traceback); every file byte-identical unless
the case says how it must change (migrated, edited or deleted by the fault itself);
the companion good.py migrated (apply) or shown (diff); no temporary file left; the
stdin action's output exactly the input or its migration.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import reliability_cases as matrix
from migrate_tf.cli import main

CELLS = [
    pytest.param(case, entry, id=f"{case.name}-{entry}")
    for case in matrix.cases()
    for entry in matrix.ENTRY_POINTS
    if case.expect[entry].not_applicable is None
]


def run_in_process(case: matrix.Case, entry: str, base, monkeypatch) -> matrix.Outcome:
    expect = case.expect[entry]
    if expect.stdout_full:
        return matrix.run_subprocess(case, entry, base)
    monkeypatch.chdir(base)
    monkeypatch.delenv("NO_COLOR", raising=False)
    matrix.install_fault(case.fault, monkeypatch.setattr)
    result = CliRunner().invoke(
        main,
        matrix.command_line(case, entry),
        input=case.stdin if entry == "stdin" else b"",
        catch_exceptions=False,
    )
    return matrix.Outcome(result.exit_code, result.stdout_bytes, result.stderr)


@pytest.mark.parametrize("case, entry", CELLS)
def test_bad_input(case, entry, tmp_path, monkeypatch):
    case.build(tmp_path)
    before = matrix.snapshot(tmp_path)
    outcome = run_in_process(case, entry, tmp_path, monkeypatch)
    monkeypatch.undo()
    after = matrix.snapshot(tmp_path)
    verdict = matrix.check(case, entry, before, after, outcome)
    assert verdict.problems == [], outcome.stderr
    assert (verdict.unexpected, verdict.lost) == (0, 0)


def test_every_cell_not_run_says_why():
    skipped = [
        (case.name, entry, case.expect[entry].not_applicable)
        for case in matrix.cases()
        for entry in matrix.ENTRY_POINTS
        if case.expect[entry].not_applicable is not None
    ]
    assert all(reason for _, _, reason in skipped)
    # Only cases about files on disk, or about a tree, can lack a stdin cell.
    assert {entry for _, entry, _ in skipped} == {"stdin"}


def test_the_mixed_line_endings_expectation_keeps_each_kept_line_ending():
    # The expected bytes of the mixed case are spelled out; check that they are
    # what the issue asks for, not merely what the code does.
    original = matrix._mixed_line_endings(matrix.GOOD)
    assert matrix.line_endings_kept(original, matrix.MIXED_MIGRATED)
    assert matrix.MIXED_MIGRATED.replace(b"\r\n", b"\n") == matrix.GOOD_MIGRATED_BYTES


def test_the_generated_file_is_five_megabytes():
    assert len(matrix.generated_file()) >= 5_000_000


# The checker itself: a writer that truncates, or touches another file, must not pass.


def test_the_matrix_catches_a_writer_that_truncates(tmp_path, monkeypatch):
    import migrate_tf.engine.writer as writer

    def truncating_replace(target, output, status):
        with open(target, "wb") as handle:
            handle.write(output[: len(output) // 2])
        return writer.WriteResult(written=True)

    monkeypatch.setattr(writer, "_replace", truncating_replace)
    case = next(case for case in matrix.cases() if case.name == "syntax-error")
    case.build(tmp_path)
    before = matrix.snapshot(tmp_path)
    outcome = run_in_process(case, "apply", tmp_path, monkeypatch)
    verdict = matrix.check(case, "apply", before, matrix.snapshot(tmp_path), outcome)
    assert verdict.lost == 1 and "proj/good.py is truncated" in verdict.problems


def test_the_matrix_catches_a_file_changed_that_should_not_be(tmp_path, monkeypatch):
    case = next(case for case in matrix.cases() if case.name == "binary")
    case.build(tmp_path)
    before = matrix.snapshot(tmp_path)
    outcome = run_in_process(case, "apply", tmp_path, monkeypatch)
    (tmp_path / "proj" / "bad.py").write_bytes(b"# rewritten\n")
    (tmp_path / "proj" / ".migrate-tf-tmp-1-x").write_bytes(b"")
    verdict = matrix.check(case, "apply", before, matrix.snapshot(tmp_path), outcome)
    assert verdict.unexpected == 2
    assert "stray temporary file proj/.migrate-tf-tmp-1-x" in verdict.problems
