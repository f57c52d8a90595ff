"""``make reliability``: issue 8's matrix against the real command line, as a table.

Rows:

* every bad input and injected fault of ``reliability_cases.py`` through ``apply``,
  ``diff`` and the stdin action, each a ``migrate-tf`` subprocess (``python -m
  migrate_tf``, or a launcher that installs the fault first, or one that gives up
  root's right to ignore permission bits);
* ``apply`` on a really full disk (a tmpfs in a private mount namespace);
* Ctrl-C (to the process group, and to the parent only) and SIGKILL during ``apply
  -j 2`` over 520 generated files, then a second ``apply``; and SIGKILL halfway
  through writing a file (a half-written temporary for certain), then ``diff`` and
  ``apply``;
* the verify harness under hostile code (a hang, sys.exit, os._exit, unbounded
  allocation, os.abort, printing to stdout, no orphan process): the harness's own
  tests (tests/test_harness_equivalence.py) and ``migrate-tf verify`` under a child
  subreaper (tests/test_reliability_hostile.py), run here and listed by name.

Prints one row per cell (input, entry point, handled, exit code, message, files changed
unexpectedly, files lost or truncated) and the totals; exits 1 when any cell was not
handled or any file was changed unexpectedly, lost or truncated.

Usage: python tests/reliability_matrix.py [--no-harness] [--jobs N]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS_DIR))
sys.path.insert(1, str(TESTS_DIR.parent))

import reliability_cases as matrix  # noqa: E402

HARNESS_TESTS = (
    "tests/test_harness_equivalence.py::test_hostile_code_is_reported_for_its_case",
    "tests/test_harness_equivalence.py::test_printing_to_stdout_is_reported_and_kept_out_of_the_protocol",
    "tests/test_harness_equivalence.py::test_crashed_workers_are_restarted_and_leave_nothing_behind",
    "tests/test_reliability_hostile.py",
)
HARNESS_NAMES = {
    "hang": "verify: new code hangs (timeout)",
    "leave": "verify: new code calls sys.exit",
    "vanish": "verify: new code calls os._exit",
    "greedy": "verify: new code allocates without bound",
    "old_crash": "verify: old code calls os.abort()",
    "chatty": "verify: new code prints to stdout",
    "fine": "verify: a good case after the hostile ones",
}
CLI_HOSTILE_NAMES = {
    "hang": "migrate-tf verify: new code hangs, its child too",
    "leave": "migrate-tf verify: new code calls sys.exit",
    "chatty": "migrate-tf verify: new code prints to stdout",
    "greedy": "migrate-tf verify: new code allocates without bound",
    "old_crash": "migrate-tf verify: old code calls os.abort()",
    "fine": "migrate-tf verify: a good case after the hostile ones",
}
SIGNAL_NAMES = {
    "sigint-group": "Ctrl-C (SIGINT to the group) mid-apply, 520 files",
    "sigint-parent": "SIGINT to the parent only mid-apply, 520 files",
    "sigkill": "SIGKILL mid-apply, 520 files",
}


@dataclasses.dataclass
class Row:
    input: str
    entry: str
    handled: bool | None  # None: not applicable
    exit_code: str
    message: str
    unexpected: int = 0
    lost: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)


def run_cell(case: matrix.Case, entry: str) -> Row:
    expect = case.expect[entry]
    if expect.not_applicable is not None:
        return Row(case.description, entry, None, "-", f"n/a: {expect.not_applicable}")
    if case.modes and matrix.permissions_enforced() is not None:
        return Row(case.description, entry, None, "-", f"n/a: {matrix.permissions_enforced()}")
    base = Path(tempfile.mkdtemp(prefix=f"mtf-reliability-{case.name}-"))
    try:
        case.build(base)
        before = matrix.snapshot(base)
        started = time.monotonic()
        matrix.lock(case, base)
        try:
            outcome = matrix.run_subprocess(case, entry, base)
        except subprocess.TimeoutExpired:
            return Row(case.description, entry, False, "-", "timed out", problems=["timed out"])
        finally:
            matrix.unlock(case, base)
        seconds = time.monotonic() - started
        verdict = matrix.check(case, entry, before, matrix.snapshot(base), outcome)
        message = verdict.message
        if entry == "stdin" and expect.message is None and verdict.handled:
            same = outcome.stdout == case.stdin
            message = f"stdout: {'the input, unchanged' if same else 'its migration'} ({len(outcome.stdout)} bytes)"
        if seconds > 5:
            message = f"{message} [{seconds:.0f} s]"
        problems = verdict.problems
        if problems and expect.known_bug:
            problems = [f"known bug: {expect.known_bug}", *problems]
        elif not problems and expect.known_bug:
            problems = [f"passes now: remove known_bug ({expect.known_bug})"]
        return Row(
            case.description, entry, not problems, str(outcome.exit_code), message,
            verdict.unexpected, verdict.lost, problems,
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)


def signal_rows() -> list[Row]:
    rows = []
    base = Path(tempfile.mkdtemp(prefix="mtf-reliability-signals-"))
    try:
        expected = matrix.generate_tree(base / "generated")
        for how in matrix.SIGNALS:
            root = base / how
            shutil.copytree(base / "generated", root)
            run = matrix.signal_during_apply(root, expected, how)
            problems = matrix.signal_problems(run, matrix.TREE_FILES)
            summary = matrix.INTERRUPT_SUMMARY.search(run.stderr)
            if summary:
                message = summary.group(0)
            else:
                message = f"killed; {run.migrated} files complete, {run.original} untouched"
            message += f"; {len(run.temporaries)} temporaries, then 2nd apply: exit {run.second_exit_code}"
            rows.append(
                Row(
                    SIGNAL_NAMES[how], "apply", not problems, str(run.exit_code), message,
                    unexpected=len(run.second_temporaries),
                    lost=len(run.neither) + len(run.second_neither),
                    problems=problems,
                )
            )
        root = base / "kill-while-writing"
        expected = matrix.generate_tree(root, count=6)
        run = matrix.kill_while_writing(root, expected)
        problems = matrix.kill_while_writing_problems(run, 6)
        rows.append(
            Row(
                "SIGKILL halfway through writing a file, 6 files", "apply", not problems,
                str(run.exit_code),
                f"{run.state[0]} files original, {len(run.temporaries)} half-written temporary; "
                f"diff ignores it (exit {run.dry_run_exit_code}); 2nd apply: exit "
                f"{run.second_exit_code}, {run.second_state[1]} migrated, "
                f"{len(run.second_temporaries)} temporaries",
                unexpected=len(run.second_temporaries),
                lost=len(run.state[2]) + len(run.second_state[2]),
                problems=problems,
            )
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return rows


def disk_full_row() -> Row:
    case = matrix.DISK_FULL_CASE
    with tempfile.TemporaryDirectory(prefix="mtf-reliability-disk-full-") as directory:
        run = matrix.real_disk_full(Path(directory) / "base")
    if isinstance(run, str):
        return Row(case.description, "apply", None, "-", f"n/a: {run}")
    verdict = matrix.check(case, "apply", run.before, run.after, run.outcome)
    return Row(
        case.description, "apply", verdict.handled, str(run.outcome.exit_code),
        verdict.message, verdict.unexpected, verdict.lost, verdict.problems,
    )


def harness_rows() -> list[Row]:
    with tempfile.TemporaryDirectory() as directory:
        junit = Path(directory) / "harness.xml"
        process = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             f"--junitxml={junit}", *HARNESS_TESTS],
            cwd=TESTS_DIR.parent, capture_output=True, text=True, timeout=900,
        )
        if not junit.exists():
            return [Row("verify harness under hostile code", "verify", False, str(process.returncode),
                        process.stdout.strip().splitlines()[-1:] and process.stdout.strip().splitlines()[-1] or "",
                        problems=["pytest did not run"])]
        rows = []
        for testcase in ElementTree.parse(junit).getroot().iter("testcase"):
            name = testcase.get("name", "")
            failed = testcase.find("failure") is not None or testcase.find("error") is not None
            skipped = testcase.find("skipped") is not None
            label = name
            module = testcase.get("classname", "").rsplit(".", 1)[-1]
            if module == "test_reliability_hostile":
                key = name.split("[", 1)[1].rstrip("]") if "[" in name else ""
                label = CLI_HOSTILE_NAMES.get(key) or "migrate-tf verify: " + name[5:].replace("_", " ")
            elif "[" in name:
                key = name.split("[", 1)[1].split("-", 1)[0]
                label = HARNESS_NAMES.get(key, name)
            elif "printing" in name:
                label = "verify: stdout kept out of the worker protocol"
            elif "crashed_workers" in name:
                label = "verify: crashed workers restarted, no orphan left"
            rows.append(
                Row(label, "verify", not failed and not skipped, "-",
                    f"{'skipped' if skipped else 'FAILED' if failed else 'passed'}: "
                    f"{module}.py::{name}",
                    problems=["failed"] if failed else ["skipped"] if skipped else [])
            )
        return rows


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_table(rows: list[Row]) -> None:
    headers = ("input", "entry", "handled", "exit", "message", "changed", "lost")
    table = [
        (
            shorten(row.input, 46),
            row.entry,
            "n/a" if row.handled is None else "yes" if row.handled else "NO",
            row.exit_code,
            shorten(row.message, 88),
            str(row.unexpected),
            str(row.lost),
        )
        for row in rows
    ]
    widths = [max(len(header), *(len(line[i]) for line in table)) for i, header in enumerate(headers)]
    print("  ".join(header.ljust(width) for header, width in zip(headers, widths)).rstrip())
    print("  ".join("-" * width for width in widths))
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-harness", action="store_true", help="skip the verify rows")
    parser.add_argument("--no-signals", action="store_true", help="skip the signal rows")
    options = parser.parse_args(argv)

    started = time.monotonic()
    cells = [(case, entry) for case in matrix.cases() for entry in matrix.ENTRY_POINTS]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        rows = list(pool.map(lambda cell: run_cell(*cell), cells))
    rows.append(disk_full_row())
    if not options.no_signals:
        rows += signal_rows()
    if not options.no_harness:
        rows += harness_rows()

    print(f"migrate-tf reliability matrix (issue 8): {len(rows)} rows in "
          f"{time.monotonic() - started:.0f} s\n")
    print_table(rows)
    tried = [row for row in rows if row.handled is not None]
    handled = sum(1 for row in tried if row.handled)
    unexpected = sum(row.unexpected for row in rows)
    lost = sum(row.lost for row in rows)
    print()
    for row in tried:
        if not row.handled:
            print(f"NOT HANDLED: {row.input} / {row.entry}: {'; '.join(row.problems)}")
    print(
        f"inputs tried: {len(tried)} ({len(rows) - len(tried)} n/a), handled: {handled}, "
        f"files changed unexpectedly: {unexpected}, files lost or truncated: {lost}"
    )
    return 0 if handled == len(tried) and unexpected == 0 and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
