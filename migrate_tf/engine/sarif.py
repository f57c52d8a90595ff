"""``--report FILE.sarif``: SARIF 2.1.0, for GitHub code scanning and other viewers.

One run, one tool (``migrate-tf``) whose ``rules`` carry each rule's summary and its
whole documentation page (``help.markdown``, which code scanning shows beside an
alert). Results:

* every finding (code a rule saw but could not convert: it needs a person) is a
  ``warning`` at the reported node;
* in a dry run (``diff``), every conversion (code that ``apply`` would rewrite) is a
  ``note`` at the name of the definition. After ``apply`` the conversions are done
  and their old lines are gone, so they are not reported.

Locations are relative to the root of the run (the git work tree around the current
directory, or the current directory outside one) through the ``%SRCROOT%`` base id,
which ``originalUriBaseIds`` maps to the absolute root; files outside the root get an
absolute ``file:`` URI. Lines and columns are 1-based and count code points
(``columnKind: unicodeCodePoints``). With ``apply``, findings point into the files as
they were before the rewrite, as on the terminal. In a Jupyter notebook the region
is where the code is in the ``.ipynb`` file itself (lines and columns of its JSON
text, which is what a viewer shows), and the message ends with the cell, line and
column in the cell, e.g. ``(cell 3:12:5)``.

Files that failed (cannot parse, a rule crashed, ...) are tool execution
notifications of level ``error``, and ``executionSuccessful`` is false.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from migrate_tf import __version__
from migrate_tf.rules.base import CodeRange, Conversion, Finding

if TYPE_CHECKING:
    from migrate_tf.engine.report import ReportContext
    from migrate_tf.engine.runner import RunResult

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
ROOT_BASE_ID = "%SRCROOT%"


def conversion_message(conversion: Conversion) -> str:
    """What a conversion does, in one sentence (also the editor's diagnostic)."""
    if conversion.kind == "function-to-layer":
        return f"`{conversion.old}` can become the Keras layer `{conversion.new}`"
    if conversion.kind == "layer-class":
        return f"the layer `{conversion.old}` can be rewritten for Keras 3"
    if conversion.old == conversion.new:
        return f"`{conversion.old}` can be migrated"
    return f"`{conversion.old}` can become `{conversion.new}`"


def find_root(start: Path | None = None) -> Path:
    """The git work tree around ``start`` (default: the current directory), or ``start``."""
    start = (start or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def _first_paragraph(markdown: str, heading: str) -> str | None:
    """The first paragraph under ``## heading`` of a rule page, as one line."""
    match = re.search(rf"^## {re.escape(heading)}\s*\n(.*?)(?:\n\s*\n|\n## |\Z)", markdown, re.S | re.M)
    if not match:
        return None
    text = " ".join(match.group(1).split())
    # "... keep working:" introduces a list that the paragraph leaves out.
    return (text[:-1] + "." if text.endswith(":") else text) or None


def _rule_descriptor(code: str) -> dict:
    from migrate_tf.rules import UnknownRuleError, get_rule

    descriptor: dict = {"id": code}
    try:
        rule = get_rule(code)
    except UnknownRuleError:
        return descriptor
    documentation = rule.documentation()
    descriptor["name"] = rule.NAME
    descriptor["shortDescription"] = {"text": rule.SUMMARY}
    descriptor["fullDescription"] = {
        "text": _first_paragraph(documentation, "What it does") or rule.SUMMARY
    }
    descriptor["help"] = {"text": documentation, "markdown": documentation}
    descriptor["defaultConfiguration"] = {"level": "warning"}
    return descriptor


def _artifact_location(path: str, root: Path) -> dict:
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {
        "uri": urllib.parse.quote(relative.as_posix()),
        "uriBaseId": ROOT_BASE_ID,
    }


def _region(line: int, column: int, span: CodeRange | None) -> dict:
    region = {"startLine": max(1, line), "startColumn": max(1, column)}
    if span is not None and (span.end_line, span.end_column) > (span.line, span.column):
        region["endLine"] = span.end_line
        region["endColumn"] = span.end_column
    return region


def _location(path: str, root: Path, region: dict) -> dict:
    return {
        "physicalLocation": {
            "artifactLocation": _artifact_location(path, root),
            "region": region,
        }
    }


def _codes(result: "RunResult", context: "ReportContext") -> list[str]:
    codes = set(context.rules)
    for file in result.files:
        codes.update(finding.code for finding in file.findings)
        codes.update(conversion.code for conversion in file.conversions)
    return sorted(codes)


def _in_cell(item: Finding | Conversion) -> str:
    """In a notebook, where in the cell: its region counts lines of the .ipynb's JSON."""
    location = getattr(item, "location", None)  # see migrate_tf.engine.notebook
    return f" ({location})" if location else ""


def _finding_result(finding: Finding, path: str, root: Path, index: dict[str, int]) -> dict:
    return {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": "warning",
        "message": {"text": finding.message + _in_cell(finding)},
        "locations": [
            _location(path, root, _region(finding.line, finding.column, finding.range))
        ],
    }


def _conversion_result(
    conversion: Conversion, path: str, root: Path, index: dict[str, int]
) -> dict:
    span = conversion.name_range or conversion.range
    if span is not None:
        region = _region(span.line, span.column, span)
    else:
        region = _region(conversion.line, 1, None)
    return {
        "ruleId": conversion.code,
        "ruleIndex": index[conversion.code],
        "level": "note",
        "message": {
            "text": f"{conversion_message(conversion)}; `migrate-tf apply` rewrites it"
            + _in_cell(conversion)
        },
        "locations": [_location(path, root, region)],
    }


def sarif_report(
    result: "RunResult", context: "ReportContext", *, root: Path | None = None
) -> dict:
    """The SARIF 2.1.0 log of a run, as a JSON-ready dict."""
    from migrate_tf.engine.report import _sorted_files

    root = (root or find_root()).resolve()
    codes = _codes(result, context)
    index = {code: position for position, code in enumerate(codes)}
    results: list[dict] = []
    notifications: list[dict] = []
    for file in _sorted_files(result):
        for finding in sorted(file.findings):
            results.append(_finding_result(finding, file.path, root, index))
        if context.dry_run and file.changed:
            for conversion in sorted(file.conversions, key=lambda c: (c.line, c.code)):
                results.append(_conversion_result(conversion, file.path, root, index))
        if file.failed:
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": f"{file.path}: {file.error}"},
                    "locations": [_location(file.path, root, {"startLine": 1})],
                }
            )
    command_line = " ".join(["migrate-tf", context.command, *context.paths])
    invocation: dict = {
        "commandLine": command_line,
        "executionSuccessful": result.failed == 0,
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    root_uri = root.as_uri()
    if not root_uri.endswith("/"):
        root_uri += "/"
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "migrate-tf",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule_descriptor(code) for code in codes],
                    }
                },
                "invocations": [invocation],
                "originalUriBaseIds": {ROOT_BASE_ID: {"uri": root_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


__all__ = ["conversion_message", "find_root", "sarif_report"]
