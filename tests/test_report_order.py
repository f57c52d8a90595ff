"""The terminal lines list files in path order however few of them have something to say."""

from __future__ import annotations

import random
from pathlib import Path

from migrate_tf.engine.report import failure_lines, finding_lines
from migrate_tf.engine.runner import FileResult, RunResult
from migrate_tf.rules.base import Finding


def test_findings_and_failures_come_in_the_order_of_all_files_sorted_by_path():
    generator = random.Random(3)
    names = ["a.py", "a-b.py", "a/b.py", "a/b/c.py", "b.py", "/abs/x.py", "./a.py", "a.py"]
    files = []
    for index in range(400):
        path = generator.choice(names)
        kind = generator.choice(["unchanged", "finding", "failed", "failed-with-finding"])
        findings = (Finding(index % 7 + 1, 1, "MTF902", f"note {index}"),) if "finding" in kind else ()
        status = "failed" if kind.startswith("failed") else "unchanged"
        error = f"error {index}" if status == "failed" else None
        files.append(FileResult(path=path, status=status, error=error, findings=findings))
    result = RunResult(files=files)
    everything = sorted(files, key=lambda file: Path(file.path).parts)
    assert finding_lines(result) == [
        finding.format(file.path) for file in everything for finding in sorted(file.findings)
    ]
    assert failure_lines(result) == [
        f"{file.path}: error: {file.error}" for file in everything if file.failed
    ]
