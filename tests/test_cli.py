"""The command line: apply, diff, stdin, reports, configuration, rules, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_tf import __version__
from migrate_tf.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli(registry_with_test_rules, tmp_path, monkeypatch):
    """Run ``migrate-tf ARGS`` in-process, from ``tmp_path``, seeing only the test rules."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: bytes | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def write(path: Path | str, content: str | bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.pop("NO_COLOR", None)
    return env


# apply ----------------------------------------------------------------------------


def test_apply_rewrites_in_place_and_reports_findings_then_the_summary(cli, tmp_path):
    write("pkg/a.py", "x = OLD_NAME\ny = REPORT_ME\n")
    write("pkg/b.py", "z = 1\n")
    result = cli("apply", "pkg")
    assert result.exit_code == 0
    assert Path("pkg/a.py").read_text() == "x = NEW_NAME\ny = REPORT_ME\n"
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "pkg/a.py:2:5: MTF902 REPORT_ME needs a person",
        "2 files scanned: 1 changed, 1 unchanged, 0 failed; 1 finding needs a person",
    ]


def test_apply_exits_1_when_a_file_fails_and_still_migrates_the_others(cli):
    write("a.py", "x = OLD_NAME\ndef broken(:\n")
    write("b.py", "x = OLD_NAME\n")
    result = cli("apply", ".")
    assert result.exit_code == 1
    assert Path("b.py").read_text() == "x = NEW_NAME\n"
    assert Path("a.py").read_text() == "x = OLD_NAME\ndef broken(:\n"
    assert "a.py: error: cannot parse: line 2, column 12: invalid syntax" in result.stderr
    assert "2 files scanned: 1 changed, 0 unchanged, 1 failed" in result.stderr


def test_a_crashing_rule_is_named_in_the_error_line(cli):
    write("a.py", "CRASH_ME\n")
    result = cli("apply", "a.py")
    assert result.exit_code == 1
    assert "a.py: error: rule MTF903 crashed: ValueError: boom" in result.stderr


def test_missing_path_is_a_usage_error(cli):
    write("a.py", "x = OLD_NAME\n")
    result = cli("apply", "a.py", "nope", "gone.py")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "nope: error: No such file or directory",
        "gone.py: error: No such file or directory",
    ]
    assert Path("a.py").read_text() == "x = OLD_NAME\n"


def test_zero_files_is_a_normal_run(cli):
    Path("empty").mkdir()
    result = cli("apply", "empty")
    assert result.exit_code == 0
    assert "0 files scanned" in result.stderr


def test_unreadable_directory_is_an_error_line_and_exit_1(cli, monkeypatch):
    write("a.py", "x = OLD_NAME\n")
    write("locked/b.py", "x = OLD_NAME\n")
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = cli("apply", ".")
    assert result.exit_code == 1
    assert "locked: error: cannot read directory: Permission denied" in result.stderr
    assert Path("a.py").read_text() == "x = NEW_NAME\n"


def test_quiet_hides_findings_and_summary_but_not_errors(cli):
    write("a.py", "y = REPORT_ME\n")
    write("b.py", "def broken(:\n    OLD_NAME\n")
    result = cli("apply", "--quiet", ".")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["b.py: error: cannot parse: line 1, column 12: invalid syntax"]


def test_annotate_inserts_a_comment_above_each_finding_and_is_idempotent(cli):
    write("a.py", "def f():\n    return REPORT_ME\n")
    first = cli("apply", "--annotate", "a.py")
    annotated = Path("a.py").read_text()
    assert annotated == (
        "def f():\n    # migrate-tf: MTF902 REPORT_ME needs a person\n    return REPORT_ME\n"
    )
    assert first.exit_code == 0 and "1 changed" in first.stderr
    second = cli("apply", "--annotate", "a.py")
    assert Path("a.py").read_text() == annotated
    assert "0 changed, 1 unchanged" in second.stderr


def test_apply_twice_changes_nothing_the_second_time(cli):
    write("a.py", "x = OLD_NAME\n")
    cli("apply", ".")
    second = cli("apply", ".")
    assert "0 changed, 1 unchanged" in second.stderr


# diff -----------------------------------------------------------------------------


def test_diff_prints_a_plain_unified_diff_and_writes_nothing(cli):
    write("a.py", "import os\nx = OLD_NAME\n")
    result = cli("diff", "a.py")
    assert result.exit_code == 0
    assert result.stdout == (
        "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n import os\n-x = OLD_NAME\n+x = NEW_NAME\n"
    )
    assert "\x1b[" not in result.stdout
    assert Path("a.py").read_text() == "import os\nx = OLD_NAME\n"
    assert "1 file scanned: 1 would change" in result.stderr


def test_diff_is_coloured_when_stdout_is_a_terminal(cli, monkeypatch):
    import migrate_tf.engine.diff as diff

    monkeypatch.setattr(diff, "use_color", lambda stream: True)
    write("a.py", "x = OLD_NAME\n")
    result = cli("diff", "a.py")
    assert "\x1b[31m-x = OLD_NAME\x1b[0m" in result.stdout
    assert "\x1b[32m+x = NEW_NAME\x1b[0m" in result.stdout


def test_diff_check_exits_1_when_a_file_would_change(cli):
    write("a.py", "x = OLD_NAME\n")
    assert cli("diff", "--check", "a.py").exit_code == 1
    assert Path("a.py").read_text() == "x = OLD_NAME\n"


def test_diff_check_exits_0_when_nothing_would_change(cli):
    write("a.py", "x = 1\n")
    result = cli("diff", "--check", "a.py")
    assert result.exit_code == 0 and result.stdout == ""


def test_diff_without_check_exits_0_even_with_changes(cli):
    write("a.py", "x = OLD_NAME\n")
    assert cli("diff", "a.py").exit_code == 0


def test_diff_into_a_closed_pipe_stops_quietly(cli, monkeypatch):
    import migrate_tf.engine.diff as diff

    def reader_went_away(*args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(diff, "unified_diff", reader_went_away)
    write("a.py", "x = OLD_NAME\n")
    result = cli("diff", "a.py")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr


# progress -------------------------------------------------------------------------


@pytest.fixture
def stderr_is_a_terminal(monkeypatch):
    import migrate_tf.cli as cli_module

    monkeypatch.setattr(cli_module, "_isatty", lambda stream: stream is sys.stderr)


def many_files(count: int = 60) -> None:
    for index in range(count):
        write(f"pkg/m{index:02}.py", "x = 1\n")


def test_progress_bar_is_shown_for_a_long_run_on_a_terminal(cli, stderr_is_a_terminal):
    many_files()
    assert "migrate-tf" in cli("apply", "-j", "1", "pkg").stderr


@pytest.mark.parametrize("option", ["--no-progress", "--quiet"])
def test_progress_bar_is_hidden_by_option(cli, stderr_is_a_terminal, option):
    many_files()
    assert "migrate-tf" not in cli("apply", "-j", "1", option, "pkg").stderr


def test_progress_bar_is_hidden_for_a_short_run(cli, stderr_is_a_terminal):
    many_files(10)
    assert "migrate-tf" not in cli("apply", "pkg").stderr


def test_progress_bar_is_hidden_when_stderr_is_not_a_terminal(cli):
    many_files()
    assert "migrate-tf" not in cli("apply", "-j", "1", "pkg").stderr


# stdin ----------------------------------------------------------------------------


def test_stdin_apply_writes_the_migrated_source_to_stdout(cli):
    result = cli("apply", "-", input=b"x = OLD_NAME\r\n")
    assert result.exit_code == 0
    assert result.stdout_bytes == b"x = NEW_NAME\r\n"


def test_stdin_diff_prints_the_diff(cli):
    result = cli("diff", "-", "--stdin-filename", "src/model.py", input=b"x = OLD_NAME\n")
    assert result.exit_code == 0
    assert result.stdout.startswith("--- a/src/model.py\n+++ b/src/model.py\n")
    assert "+x = NEW_NAME\n" in result.stdout


def test_stdin_filename_is_used_in_messages(cli):
    result = cli("apply", "-", "--stdin-filename", "src/model.py", input=b"y = REPORT_ME\n")
    assert result.stderr.splitlines() == ["src/model.py:1:5: MTF902 REPORT_ME needs a person"]


def test_stdin_error_gives_the_buffer_back_unchanged_and_exits_1(cli):
    source = b"x = OLD_NAME\nprint 'hello'\n"
    result = cli("apply", "-", "--stdin-filename", "old.py", input=source)
    assert result.exit_code == 1
    assert result.stdout_bytes == source
    assert result.stderr.startswith("old.py: error: cannot parse: line 2, column 1:")


def test_excluded_stdin_filename_is_passed_through_unchanged(cli):
    source = b"x = OLD_NAME\n"
    result = cli(
        "apply", "-", "--stdin-filename", "legacy/old.py", "--exclude", "legacy", input=source
    )
    assert result.exit_code == 0
    assert result.stdout_bytes == source


def test_stdin_must_be_the_only_path(cli):
    write("a.py", "x = 1\n")
    result = cli("apply", "-", "a.py", input=b"")
    assert result.exit_code == 2
    assert "'-' (stdin) must be the only PATH" in result.stderr


def test_stdin_filename_without_stdin_is_a_usage_error(cli):
    write("a.py", "x = 1\n")
    assert cli("apply", "a.py", "--stdin-filename", "b.py").exit_code == 2


# reports --------------------------------------------------------------------------


def test_json_report_is_written(cli):
    write("a.py", "x = OLD_NAME\ny = REPORT_ME\n")
    write("b.py", "def broken(:\n  OLD_NAME\n")
    result = cli("apply", ".", "--report", "report.json")
    assert result.exit_code == 1
    report = json.loads(Path("report.json").read_text())
    assert report["command"] == "apply"
    assert report["summary"] == {
        "scanned": 2, "changed": 1, "unchanged": 0, "failed": 1, "findings": 1,
    }
    files = {f["path"]: f for f in report["files"]}
    assert files["a.py"]["status"] == "changed" and files["a.py"]["applied"] == ["MTF901"]
    assert files["a.py"]["findings"] == [
        {"line": 2, "column": 5, "code": "MTF902", "message": "REPORT_ME needs a person"}
    ]
    assert files["b.py"]["status"] == "failed" and "cannot parse" in files["b.py"]["error"]


def test_markdown_report_is_written(cli):
    write("a.py", "y = REPORT_ME\n")
    result = cli("diff", ".", "--report", "report.md")
    assert result.exit_code == 0
    text = Path("report.md").read_text()
    assert "| 1 | 0 | 1 | 0 | 1 |" in text
    assert "#### `a.py`" in text and "| 1 | 5 | MTF902 | REPORT_ME needs a person |" in text


def test_report_for_stdin_names_the_stdin_filename(cli):
    cli("apply", "-", "--stdin-filename", "m.py", "--report", "r.json", input=b"y = REPORT_ME\n")
    assert json.loads(Path("r.json").read_text())["files"][0]["path"] == "m.py"


def test_unknown_report_extension_is_a_usage_error_before_the_run(cli):
    write("a.py", "x = OLD_NAME\n")
    result = cli("apply", ".", "--report", "report.txt")
    assert result.exit_code == 2
    assert "--report" in result.stderr and ".json, .md" in result.stderr
    assert Path("a.py").read_text() == "x = OLD_NAME\n"
    assert not Path("report.txt").exists()


def test_unwritable_report_fails_the_run(cli):
    write("a.py", "x = 1\n")
    result = cli("apply", ".", "--report", "missing-dir/report.json")
    assert result.exit_code == 1
    assert "missing-dir/report.json: error: cannot write the report" in result.stderr


# rule selection and configuration ---------------------------------------------------


def test_select_and_ignore_choose_rules(cli):
    write("a.py", "x = OLD_NAME\ny = REPORT_ME\n")
    only_report = cli("diff", "--select", "MTF902", "a.py")
    assert only_report.stdout == "" and "MTF902" in only_report.stderr
    ignored = cli("diff", "--ignore", "report-me,MTF903", "a.py")
    assert "+x = NEW_NAME" in ignored.stdout and "MTF902" not in ignored.stderr


def test_unknown_rule_code_is_a_usage_error(cli):
    write("a.py", "x = OLD_NAME\n")
    result = cli("apply", "--select", "MTF999", "a.py")
    assert result.exit_code == 2
    assert "unknown rule code or prefix 'MTF999'" in result.stderr
    assert Path("a.py").read_text() == "x = OLD_NAME\n"


def project_with_config(config: str) -> None:
    write("pyproject.toml", f"[project]\nname = 'demo'\n\n[tool.migrate-tf]\n{config}")
    write("src/a.py", "x = OLD_NAME\ny = REPORT_ME\n")
    write("src/legacy/b.py", "x = OLD_NAME\n")


def test_configuration_selects_ignores_and_excludes(cli):
    project_with_config('select = ["MTF9"]\nignore = ["MTF902"]\nexclude = ["legacy"]\n')
    result = cli("apply", "src")
    assert result.exit_code == 0
    assert Path("src/a.py").read_text() == "x = NEW_NAME\ny = REPORT_ME\n"
    assert Path("src/legacy/b.py").read_text() == "x = OLD_NAME\n"
    assert "MTF902" not in result.stderr


def test_configuration_is_found_from_a_nested_path(cli):
    project_with_config('exclude = ["src/legacy"]\n')
    result = cli("apply", "src/legacy/b.py", "src/a.py")
    assert Path("src/legacy/b.py").read_text() == "x = OLD_NAME\n"
    assert "1 file scanned" in result.stderr


def test_command_line_wins_over_the_configuration(cli):
    project_with_config('select = ["MTF901"]\nexclude = ["legacy"]\n')
    result = cli("apply", "--select", "MTF902", "--exclude", "nothing-matches", "src")
    assert Path("src/a.py").read_text() == "x = OLD_NAME\ny = REPORT_ME\n"
    assert "src/a.py:2:5: MTF902" in result.stderr
    assert "2 files scanned" in result.stderr


def test_unknown_configuration_key_is_a_usage_error(cli):
    project_with_config('selct = ["MTF901"]\n')
    result = cli("apply", "src")
    assert result.exit_code == 2
    assert "unknown key(s) in [tool.migrate-tf]: selct" in result.stderr
    assert Path("src/a.py").read_text() == "x = OLD_NAME\ny = REPORT_ME\n"


def test_unknown_rule_in_the_configuration_is_a_usage_error(cli):
    project_with_config('select = ["MTF1"]\n')
    result = cli("apply", "src")
    assert result.exit_code == 2 and "MTF1" in result.stderr


def test_explicit_config_file_is_used(cli):
    write("elsewhere/settings.toml", '[tool.migrate-tf]\nselect = ["MTF902"]\n')
    write("a.py", "x = OLD_NAME\ny = REPORT_ME\n")
    result = cli("apply", "--config", "elsewhere/settings.toml", "a.py")
    assert Path("a.py").read_text() == "x = OLD_NAME\ny = REPORT_ME\n"
    assert "MTF902" in result.stderr


def test_missing_explicit_config_file_is_a_usage_error(cli):
    write("a.py", "x = 1\n")
    result = cli("apply", "--config", "nope.toml", "a.py")
    assert result.exit_code == 2
    assert "nope.toml: error: configuration file not found" in result.stderr


def test_stdin_filename_finds_the_configuration(cli):
    project_with_config('select = ["MTF902"]\n')
    result = cli("apply", "-", "--stdin-filename", "src/new.py", input=b"x = OLD_NAME\n")
    assert result.stdout_bytes == b"x = OLD_NAME\n"


def test_jobs_must_be_positive(cli):
    write("a.py", "x = 1\n")
    assert cli("apply", "-j", "0", "a.py").exit_code == 2


# rules / version --------------------------------------------------------------------


def test_rules_lists_every_rule_in_aligned_columns(cli):
    result = cli("rules")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "MTF901  rename-old-name  Rename OLD_NAME to NEW_NAME.",
        "MTF902  report-me        Report every REPORT_ME | for a person.",
        "MTF903  crash-me         Crash at CRASH_ME.",
    ]


@pytest.mark.parametrize("name", ["MTF901", "mtf901", "rename-old-name"])
def test_rules_code_prints_the_rule_documentation(cli, name):
    result = cli("rules", name)
    assert result.exit_code == 0
    assert result.stdout.startswith("# MTF901 rename-old-name\n\nRename OLD_NAME to NEW_NAME.\n")
    assert "## When it refuses" in result.stdout


def test_rules_unknown_code_is_a_usage_error(cli):
    result = cli("rules", "MTF000")
    assert result.exit_code == 2 and "unknown rule 'MTF000'" in result.stderr


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout == f"migrate-tf {__version__}\n"


# real processes ---------------------------------------------------------------------

TF_SOURCE = """\
import tensorflow as tf
from tensorflow import keras


class Scale(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.zeros([3]))
"""


def test_cli_never_imports_tensorflow_or_keras(tmp_path):
    source = write(tmp_path / "model.py", TF_SOURCE)
    program = (
        "import sys\n"
        "from migrate_tf.cli import main\n"
        "code = main(['diff', sys.argv[1]], standalone_mode=False)\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('tensorflow', 'keras', 'tf_keras')))\n"
        "print('EXIT', code, file=sys.stderr)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
        "print('LIBCST', 'libcst' in sys.modules, file=sys.stderr)\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", program, str(source)],
        cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True, timeout=120,
    )
    assert "EXIT 0" in process.stderr, process.stderr
    assert "HEAVY []" in process.stderr
    # The check above is only meaningful if the engine really ran.
    assert "LIBCST True" in process.stderr


def test_version_and_help_do_not_import_the_engine(tmp_path):
    program = (
        "import sys\n"
        "from migrate_tf.cli import main\n"
        "main(['--version'], standalone_mode=False)\n"
        "main(['apply', '--help'], standalone_mode=False)\n"
        "print('LIBCST', 'libcst' in sys.modules)\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", program],
        cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True, timeout=60,
    )
    assert process.returncode == 0, process.stderr
    assert "LIBCST False" in process.stdout


def test_python_dash_m_runs_a_parallel_apply(tmp_path):
    for index in range(24):
        write(tmp_path / "pkg" / f"m{index:02}.py", "import tensorflow as tf\nv = tf.Variable(1.0)\n")
    write(tmp_path / "pkg" / "broken.py", "import tensorflow as tf\nv = tf.Variable(\n")
    process = subprocess.run(
        [sys.executable, "-m", "migrate_tf", "apply", "-j", "2", "--no-progress", "pkg"],
        cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True, timeout=120,
    )
    assert process.returncode == 1, process.stderr
    assert "pkg/broken.py: error: cannot parse" in process.stderr
    assert "25 files scanned:" in process.stderr and "1 failed" in process.stderr
