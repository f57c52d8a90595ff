"""What a run tells people: terminal lines, and ``--report`` files for CI and PRs.

On the terminal (stderr): one line per finding (``path:line:col: CODE message``,
sorted by path and position), one per failed file (``path: error: reason``), then a
closing summary. ``--report`` writes the same facts as JSON (for machines), Markdown (to paste as a
pull-request comment) or SARIF 2.1.0 (for code scanning, see
:mod:`migrate_tf.engine.sarif`); the format follows the extension.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Iterable, Sequence

from migrate_tf import __version__
from migrate_tf.config import Settings
from migrate_tf.engine.discovery import path_sort_key
from migrate_tf.engine.runner import FileResult, RunResult

REPORT_FORMATS = {".json": "json", ".md": "markdown", ".sarif": "sarif"}


class ReportFormatError(ValueError):
    """``--report`` names a file whose extension is not a known format (exit 2)."""


def report_format(path: str | os.PathLike) -> str:
    """"json" or "markdown" for a report path, by its extension."""
    suffix = Path(path).suffix.lower()
    try:
        return REPORT_FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(REPORT_FORMATS))
        raise ReportFormatError(
            f"cannot tell the report format of {os.fspath(path)!r}: "
            f"use a file name ending in {known}"
        ) from None


@dataclasses.dataclass(frozen=True)
class ReportContext:
    """How the run was asked for, for the report's header."""

    command: str  # "apply" or "diff"
    paths: Sequence[str] = ()
    settings: Settings = Settings()
    rules: Sequence[str] = ()  # the codes of the rules that ran

    @property
    def dry_run(self) -> bool:
        return self.command != "apply"


def _by_path(files: Iterable[FileResult]) -> list[FileResult]:
    """Files sorted by path. The sort is stable: a selection sorted on its own is in
    the order it has in the whole sorted (and the selection is cheaper to sort)."""
    return sorted(files, key=lambda file: path_sort_key(file.path))


def _sorted_files(result: RunResult) -> list[FileResult]:
    return _by_path(result.files)


# Terminal -------------------------------------------------------------------------


def finding_lines(result: RunResult) -> list[str]:
    """``path:line:col: CODE message`` for every finding, by path then position."""
    lines = []
    for file in _by_path(file for file in result.files if file.findings):
        for finding in sorted(file.findings):
            lines.append(finding.format(file.path))
    return lines


def failure_lines(result: RunResult) -> list[str]:
    """``path: error: reason`` for every failed file (or unreadable directory)."""
    failed = _by_path(file for file in result.files if file.failed)
    return [f"{file.path}: error: {file.error}" for file in failed]


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def summary_line(result: RunResult, *, dry_run: bool) -> str:
    """E.g. ``12 files scanned: 2 changed, 9 unchanged, 1 failed; 3 findings need a person``."""
    changed = f"{result.changed} would change" if dry_run else f"{result.changed} changed"
    findings = result.findings
    need = "needs" if findings == 1 else "need"
    return (
        f"{_plural(result.scanned, 'file')} scanned: {changed}, "
        f"{result.unchanged} unchanged, {result.failed} failed; "
        f"{_plural(findings, 'finding')} {need} a person"
    )


# Files ---------------------------------------------------------------------------


def json_report(result: RunResult, context: ReportContext) -> dict:
    settings = context.settings
    return {
        "tool": "migrate-tf",
        "version": __version__,
        "command": context.command,
        "paths": [path.replace(os.sep, "/") for path in context.paths],
        "dry_run": context.dry_run,
        "settings": {
            "select": list(settings.select),
            "ignore": list(settings.ignore),
            "exclude": list(settings.exclude),
            "keras_import": settings.keras_import,
            "annotate": settings.annotate,
        },
        "rules": list(context.rules),
        "summary": {
            "scanned": result.scanned,
            "changed": result.changed,
            "unchanged": result.unchanged,
            "failed": result.failed,
            "findings": result.findings,
        },
        "files": [
            {
                "path": file.path.replace(os.sep, "/"),
                "status": file.status,
                "error": file.error,
                "applied": list(file.applied),
                "findings": [finding.to_dict() for finding in sorted(file.findings)],
            }
            for file in _sorted_files(result)
        ],
    }


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(text: str) -> str:
    """Inline code that survives backticks in the text."""
    text = _cell(text)
    fence = "``" if "`" in text else "`"
    padding = " " if fence == "``" else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def markdown_report(result: RunResult, context: ReportContext) -> str:
    changed_label = "Would change" if context.dry_run else "Changed"
    command = " ".join(["migrate-tf", context.command, *context.paths])
    lines = [
        "## migrate-tf report",
        "",
        f"{_code(command)} · migrate-tf {__version__}",
        "",
        f"| Files scanned | {changed_label} | Unchanged | Failed | Findings |",
        "| ---: | ---: | ---: | ---: | ---: |",
        f"| {result.scanned} | {result.changed} | {result.unchanged} "
        f"| {result.failed} | {result.findings} |",
    ]
    files = _sorted_files(result)
    with_findings = [file for file in files if file.findings]
    if with_findings:
        lines += ["", f"### Findings that need a person ({result.findings})"]
        for file in with_findings:
            lines += [
                "",
                f"#### {_code(file.path)}",
                "",
                "| Line | Column | Rule | Message |",
                "| ---: | ---: | --- | --- |",
            ]
            for finding in sorted(file.findings):
                # A notebook's finding (migrate_tf.engine.notebook): its cell and line.
                cell = getattr(finding, "cell", None)
                line = f"cell {cell}:{finding.cell_line}" if cell else finding.line
                column = finding.cell_column if cell else finding.column
                lines.append(
                    f"| {line} | {column} | {finding.code} "
                    f"| {_cell(finding.message)} |"
                )
    failed = [file for file in files if file.failed]
    if failed:
        lines += ["", f"### Failures ({len(failed)})", "", "| File | Error |", "| --- | --- |"]
        for file in failed:
            lines.append(f"| {_code(file.path)} | {_cell(file.error or '')} |")
    changed = [file for file in files if file.changed]
    if changed:
        lines += [
            "",
            "<details>",
            f"<summary>{changed_label} ({len(changed)})</summary>",
            "",
        ]
        for file in changed:
            rules = f" ({', '.join(file.applied)})" if file.applied else ""
            lines.append(f"- {_code(file.path)}{rules}")
        lines += ["", "</details>"]
    if not (with_findings or failed or changed):
        lines += ["", "Nothing to migrate."]
    return "\n".join(lines) + "\n"


def write_report(path: str | os.PathLike, result: RunResult, context: ReportContext) -> None:
    """Write the report in the format its extension names. Raises OSError."""
    import json  # only here: the editor's stdin runs write no report

    kind = report_format(path)
    if kind == "json":
        text = json.dumps(json_report(result, context), indent=2, ensure_ascii=False) + "\n"
    elif kind == "sarif":
        from migrate_tf.engine.sarif import sarif_report

        text = json.dumps(sarif_report(result, context), indent=2, ensure_ascii=False) + "\n"
    else:
        text = markdown_report(result, context)
    Path(path).write_text(text, encoding="utf-8")


__all__ = [
    "REPORT_FORMATS",
    "ReportContext",
    "ReportFormatError",
    "failure_lines",
    "finding_lines",
    "json_report",
    "markdown_report",
    "report_format",
    "summary_line",
    "write_report",
]
