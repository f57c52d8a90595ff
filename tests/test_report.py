"""Terminal lines, --report files (JSON, Markdown) and unified diffs."""

from __future__ import annotations

import io
import json

import pytest

from migrate_tf import __version__
from migrate_tf.config import Settings
from migrate_tf.engine.diff import colorize, split_lines, unified_diff, use_color
from migrate_tf.engine.report import (
    ReportContext,
    ReportFormatError,
    failure_lines,
    finding_lines,
    json_report,
    markdown_report,
    report_format,
    summary_line,
    write_report,
)
from migrate_tf.engine.runner import FileResult, RunResult
from migrate_tf.rules.base import Finding


def sample_result() -> RunResult:
    return RunResult(
        files=[
            FileResult(
                path="src/b.py",
                status="changed",
                applied=("MTF901",),
                findings=(
                    Finding(9, 1, "MTF902", "second"),
                    Finding(2, 5, "MTF902", "a | pipe"),
                ),
            ),
            FileResult(path="src/a.py", status="unchanged", findings=(Finding(1, 1, "MTF902", "first"),)),
            FileResult(path="src/c.py", status="failed", error="cannot parse: line 3, column 1: invalid syntax"),
            FileResult(path="src/d.py", status="unchanged"),
        ]
    )


CONTEXT = ReportContext(
    command="apply",
    paths=("src",),
    settings=Settings(select=("MTF9",), exclude=("legacy",)),
    rules=("MTF901", "MTF902"),
)


def test_summary_counts_every_status_and_the_findings():
    assert summary_line(sample_result(), dry_run=False) == (
        "4 files scanned: 1 changed, 2 unchanged, 1 failed; 3 findings need a person"
    )


def test_summary_of_a_dry_run_says_would_change():
    assert summary_line(sample_result(), dry_run=True).startswith(
        "4 files scanned: 1 would change,"
    )


def test_summary_uses_the_singular_for_one():
    result = RunResult(files=[FileResult("a.py", "unchanged", findings=(Finding(1, 1, "MTF902", "m"),))])
    assert summary_line(result, dry_run=False) == (
        "1 file scanned: 0 changed, 1 unchanged, 0 failed; 1 finding needs a person"
    )


def test_summary_of_zero_files():
    assert summary_line(RunResult(), dry_run=False) == (
        "0 files scanned: 0 changed, 0 unchanged, 0 failed; 0 findings need a person"
    )


def test_findings_are_sorted_by_path_then_position():
    assert finding_lines(sample_result()) == [
        "src/a.py:1:1: MTF902 first",
        "src/b.py:2:5: MTF902 a | pipe",
        "src/b.py:9:1: MTF902 second",
    ]


def test_failures_are_one_line_each():
    assert failure_lines(sample_result()) == [
        "src/c.py: error: cannot parse: line 3, column 1: invalid syntax"
    ]


def test_json_report_has_tool_settings_summary_and_every_file():
    report = json_report(sample_result(), CONTEXT)
    assert report["tool"] == "migrate-tf" and report["version"] == __version__
    assert report["command"] == "apply" and report["dry_run"] is False
    assert report["paths"] == ["src"]
    assert report["settings"]["select"] == ["MTF9"]
    assert report["settings"]["exclude"] == ["legacy"]
    assert report["rules"] == ["MTF901", "MTF902"]
    assert report["summary"] == {
        "scanned": 4, "changed": 1, "unchanged": 2, "failed": 1, "findings": 3,
    }
    assert [f["path"] for f in report["files"]] == ["src/a.py", "src/b.py", "src/c.py", "src/d.py"]
    b = report["files"][1]
    assert b["status"] == "changed" and b["applied"] == ["MTF901"] and b["error"] is None
    assert b["findings"][0] == {"line": 2, "column": 5, "code": "MTF902", "message": "a | pipe"}
    c = report["files"][2]
    assert c["status"] == "failed" and c["error"].startswith("cannot parse")


def test_markdown_report_has_a_summary_table_findings_by_file_and_failures():
    text = markdown_report(sample_result(), CONTEXT)
    assert "| Files scanned | Changed | Unchanged | Failed | Findings |" in text
    assert "| 4 | 1 | 2 | 1 | 3 |" in text
    assert "### Findings that need a person (3)" in text
    a_heading, b_heading = text.index("#### `src/a.py`"), text.index("#### `src/b.py`")
    assert a_heading < text.index("| 1 | 1 | MTF902 | first |") < b_heading
    # A pipe in a message must not split the table cell.
    assert "| 2 | 5 | MTF902 | a \\| pipe |" in text
    assert "### Failures (1)" in text
    assert "| `src/c.py` | cannot parse: line 3, column 1: invalid syntax |" in text
    assert "- `src/b.py` (MTF901)" in text
    assert "`src/d.py`" not in text


def test_markdown_report_of_a_dry_run_says_would_change():
    context = ReportContext(command="diff", paths=("src",))
    text = markdown_report(RunResult(files=[FileResult("a.py", "changed")]), context)
    assert "| Files scanned | Would change |" in text
    assert "`migrate-tf diff src`" in text


def test_markdown_report_of_a_clean_run_says_so():
    text = markdown_report(RunResult(files=[FileResult("a.py", "unchanged")]), CONTEXT)
    assert "Nothing to migrate." in text


def test_write_report_picks_the_format_from_the_extension(tmp_path):
    write_report(tmp_path / "r.json", sample_result(), CONTEXT)
    write_report(tmp_path / "r.MD", sample_result(), CONTEXT)
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["failed"] == 1
    assert (tmp_path / "r.MD").read_text().startswith("## migrate-tf report")


@pytest.mark.parametrize("name", ["report.txt", "report", "report.json.bak", "report.html"])
def test_unknown_report_extension_is_refused(name):
    with pytest.raises(ReportFormatError, match=r"\.json, \.md"):
        report_format(name)


# Diffs -----------------------------------------------------------------------------


def test_diff_has_git_headers_hunks_and_three_lines_of_context():
    before = "".join(f"line{n}\n" for n in range(1, 11)).encode()
    after = before.replace(b"line5\n", b"LINE5\n")
    assert unified_diff("src/a.py", before, after) == (
        "--- a/src/a.py\n"
        "+++ b/src/a.py\n"
        "@@ -2,7 +2,7 @@\n"
        " line2\n line3\n line4\n"
        "-line5\n"
        "+LINE5\n"
        " line6\n line7\n line8\n"
    )


def test_diff_of_equal_bytes_is_empty():
    assert unified_diff("a.py", b"x = 1\n", b"x = 1\n") == ""


def test_diff_is_made_from_decoded_text_not_bytes():
    before = b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n"
    after = b"# -*- coding: latin-1 -*-\ns = 'th\xe9'\n"
    diff = unified_diff("a.py", before, after)
    assert "-s = 'café'\n" in diff and "+s = 'thé'\n" in diff


def test_diff_keeps_crlf_line_endings_and_marks_a_missing_final_newline():
    diff = unified_diff("a.py", b"a = 1\r\nb = 2", b"a = 1\r\nb = 3")
    assert " a = 1\r\n" in diff
    assert diff.endswith("-b = 2\n\\ No newline at end of file\n+b = 3\n\\ No newline at end of file\n")


def test_split_lines_splits_only_at_line_endings():
    assert split_lines("a\x0cb\r\nc\rd\ne\u2028f") == ["a\x0cb\r\n", "c\r", "d\n", "e\u2028f"]


def test_absolute_paths_get_git_style_headers():
    diff = unified_diff("/tmp/x/a.py", b"a\n", b"b\n")
    assert diff.startswith("--- a/tmp/x/a.py\n+++ b/tmp/x/a.py\n")


def test_colorize_marks_removed_added_and_hunk_lines():
    diff = unified_diff("a.py", b"x\n", b"y\n")
    colored = colorize(diff)
    assert "\x1b[31m-x\x1b[0m\n" in colored
    assert "\x1b[32m+y\x1b[0m\n" in colored
    assert "\x1b[36m@@ -1 +1 @@\x1b[0m\n" in colored


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color():
    assert use_color(FakeTerminal(), environ={})
    assert not use_color(io.StringIO(), environ={})
    assert not use_color(FakeTerminal(), environ={"NO_COLOR": "1"})
