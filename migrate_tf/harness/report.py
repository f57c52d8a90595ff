"""What ``verify`` prints and writes: the table, the details, the summary, JSON, Markdown.

One row per conversion (and case): where it is, what became what, variables
(old count / new count / mismatches), the largest output difference, the initializer
check, and the verdict. Rows that did not pass, and rows that rest on inferred
arguments or printed something, get their details below the table; a closing summary
counts the verdicts.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

from migrate_tf import __version__
from migrate_tf.harness.verify import Options, Row, VerifyResult

HEADERS = ("conversion", "variables", "max |diff|", "init", "verdict")


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _difference(row: Row) -> str:
    if row.comparison is None or row.comparison.max_difference is None:
        return "-"
    value = row.comparison.max_difference
    return "0" if value == 0 else f"{value:.1e}"


def _variables(row: Row) -> str:
    c = row.comparison
    return "-" if c is None else f"{c.old_count}/{c.new_count}/{c.mismatches}"


#: The verdict column is cut here; the details below the table have it in full.
STATUS_WIDTH = 110


def _short(text: str, width: int = STATUS_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _cells(row: Row, short: bool = True) -> tuple[str, ...]:
    check = row.check
    return (
        f"{check.location} {check.label}",
        _variables(row),
        _difference(row),
        row.comparison.initializers if row.comparison else "-",
        _short(row.status) if short else row.status,
    )


def table_lines(rows: Sequence[Row]) -> list[str]:
    if not rows:
        return []
    cells = [HEADERS] + [_cells(row) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADERS) - 1)]
    lines = []
    for line in cells:
        head = "  ".join(text.ljust(width) for text, width in zip(line, widths))
        lines.append(f"{head}  {line[-1]}".rstrip())
    return lines


def detail_lines(rows: Sequence[Row]) -> list[str]:
    lines = []
    for row in rows:
        body = []
        if row.verdict != "pass":
            body += [f"  {line}" for detail in row.details for line in detail.splitlines()]
        body += [f"  note: {note}" for note in row.notes]
        if body:
            lines.append(f"{row.check.location} {row.check.label}: {row.status}")
            lines += body
    return lines


def summary_line(result: VerifyResult) -> str:
    conversions = len(result.rows)
    files = len({row.check.unit.display for row in result.rows})
    parts = [
        f"{result.count('pass')} pass",
        f"{result.count('FAIL')} FAIL",
        f"{result.count('unverified')} unverified",
    ]
    if result.issues:
        parts.append(_plural(len(result.issues), "error"))
    processes = result.startups
    return (
        f"{_plural(conversions, 'conversion')} in {_plural(files, 'file')} "
        f"({result.scanned} scanned): {', '.join(parts)} "
        f"({_plural(processes, 'TensorFlow process', 'TensorFlow processes')}, "
        f"{result.seconds:.1f} s)"
    )


def issue_lines(result: VerifyResult) -> list[str]:
    return [f"{issue.path}: error: {issue.message}" for issue in result.issues]


# Files ----------------------------------------------------------------------------------


def row_dict(row: Row) -> dict:
    check = row.check
    conversion = check.conversion
    comparison = row.comparison
    return {
        "path": check.unit.display.replace(os.sep, "/"),
        # in a notebook: the line in the cell, and the cell (see migrate_tf.engine.notebook)
        "line": getattr(conversion, "cell_line", conversion.line),
        **({"cell": conversion.cell} if hasattr(conversion, "cell") else {}),
        "code": conversion.code,
        "kind": conversion.kind,
        "old": conversion.old,
        "new": conversion.new,
        "case": check.case_number,
        "verdict": row.verdict,
        "reason": row.reason,
        "variables": None if comparison is None else {
            "old": comparison.old_count,
            "new": comparison.new_count,
            "mismatches": comparison.mismatches,
        },
        "max_difference": None if comparison is None else comparison.max_difference,
        "initializers": None if comparison is None else comparison.initializers,
        "problems": [] if comparison is None else [
            {"category": p.category, "message": p.message} for p in comparison.problems
        ],
        "details": row.details,
        "notes": row.notes,
        "suggestion": check.suggestion,
    }


def json_report(result: VerifyResult, *, paths: Sequence[str], options: Options,
                command: str = "verify") -> dict:
    return {
        "tool": "migrate-tf",
        "version": __version__,
        "command": command,
        "paths": [p.replace(os.sep, "/") for p in paths],
        "mode": result.mode,
        "options": {
            "rtol": options.rtol,
            "atol": options.atol,
            "timeout": options.timeout,
            "memory_mb": options.memory_mb,
        },
        "summary": {
            "conversions": len(result.rows),
            "pass": result.count("pass"),
            "fail": result.count("FAIL"),
            "unverified": result.count("unverified"),
            "scanned": result.scanned,
            "errors": len(result.issues),
            "seconds": round(result.seconds, 2),
            "tensorflow_processes": result.startups,
        },
        "workers": {
            side: {
                "starts": run.starts,
                "startup_seconds": [round(x, 2) for x in run.start_seconds],
                "seconds": round(run.seconds, 2),
            }
            for side, run in sorted(result.sides.items())
        },
        "rows": [row_dict(row) for row in result.rows],
        "errors": [{"path": i.path, "message": i.message} for i in result.issues],
    }


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown_report(result: VerifyResult, *, paths: Sequence[str], command: str = "verify") -> str:
    lines = [
        "## migrate-tf verify",
        "",
        f"`{_cell(' '.join(['migrate-tf', command, *paths]))}` · migrate-tf {__version__}",
        "",
        summary_line(result),
        "",
    ]
    if result.rows:
        lines += [
            "| Conversion | Variables (old/new/mismatches) | Max output difference | Initializers | Verdict |",
            "| --- | ---: | ---: | --- | --- |",
        ]
        for row in result.rows:
            cells = _cells(row, short=False)
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    details = [row for row in result.rows if row.verdict != "pass" and (row.details or row.notes)]
    if details:
        lines += ["", "### Details", ""]
        for row in details:
            lines.append(f"- `{_cell(row.check.location)}` {_cell(row.check.label)}: {_cell(row.status)}")
            for detail in row.details:
                lines.append("  ```")
                lines += [f"  {line}" for line in detail.splitlines()]
                lines.append("  ```")
            for note in row.notes:
                lines.append(f"  - {_cell(note)}")
    if result.issues:
        lines += ["", "### Files that could not be verified", "", "| File | Error |", "| --- | --- |"]
        for issue in result.issues:
            lines.append(f"| `{_cell(issue.path)}` | {_cell(issue.message)} |")
    return "\n".join(lines) + "\n"


def write_report(path: str, result: VerifyResult, *, paths: Sequence[str], options: Options,
                 command: str = "verify", extra: dict | None = None) -> None:
    """Write ``path`` as JSON or Markdown (by its extension). Raises OSError."""
    from migrate_tf.engine.report import report_format

    if report_format(path) == "json":
        data = json_report(result, paths=paths, options=options, command=command)
        if extra:
            data.update(extra)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = markdown_report(result, paths=paths, command=command)
    Path(path).write_text(text, encoding="utf-8")


__all__ = [
    "detail_lines",
    "issue_lines",
    "json_report",
    "markdown_report",
    "row_dict",
    "summary_line",
    "table_lines",
    "write_report",
]
