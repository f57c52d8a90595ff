"""``--report FILE.sarif``: SARIF 2.1.0 that validates against the official schema.

The schema is vendored in ``tests/schemas/`` (see the README there): no network at
test time.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import jsonschema
import pytest
from click.testing import CliRunner

from migrate_tf.cli import main
from migrate_tf.config import Settings
from migrate_tf.engine.report import ReportContext, report_format, write_report
from migrate_tf.engine.runner import FileResult, RunResult
from migrate_tf.engine.sarif import sarif_report
from migrate_tf.rules.base import CodeRange, Conversion, Finding

SCHEMA_PATH = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"

TF1_AND_KERAS2 = '''\
import tensorflow as tf


def dense(x, units, scope="dense"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1].value, units])
        return tf.matmul(x, w)


class Scale(tf.keras.layers.Layer):
    def __init__(self, size, start, **kwargs):
        super().__init__(**kwargs)
        self.gain = tf.Variable(tf.ones([size]), name="gain")
        self.count = tf.Variable(start, trainable=False)

    def call(self, x):
        return x * self.gain
'''


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def assert_valid(validator: jsonschema.Draft4Validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, error.path))}: {error.message}" for error in errors
    )
    # The format checker only checks "uri" when rfc3987 is installed: check the
    # URIs we write ourselves.
    run = log["runs"][0]
    for base in run.get("originalUriBaseIds", {}).values():
        parsed = urlparse(base["uri"])
        assert parsed.scheme == "file" and parsed.path.endswith("/")
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        if "uriBaseId" in location:
            assert not urlparse(location["uri"]).scheme
            assert not location["uri"].startswith("/")


def run_cli(tmp_path: Path, monkeypatch, *args: str):
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def results_by_level(log: dict) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for result in log["runs"][0]["results"]:
        grouped.setdefault(result["level"], []).append(result)
    return grouped


def region(result: dict) -> dict:
    return result["locations"][0]["physicalLocation"]["region"]


def uri(result: dict) -> str:
    return result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_the_extension_selects_sarif():
    assert report_format("out/migration.sarif") == "sarif"
    assert report_format("MIGRATION.SARIF") == "sarif"


def test_diff_report_is_valid_sarif_with_findings_and_conversions(tmp_path, monkeypatch, validator):
    (tmp_path / ".git").mkdir()  # the root of the run is the work tree
    source = tmp_path / "src" / "model" / "ops.py"
    source.parent.mkdir(parents=True)
    source.write_text(TF1_AND_KERAS2)
    monkeypatch.chdir(tmp_path / "src")
    result = CliRunner().invoke(
        main, ["diff", "--report", "../migration.sarif", "model"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    log = json.loads((tmp_path / "migration.sarif").read_text(encoding="utf-8"))
    assert_valid(validator, log)

    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"][0]["executionSuccessful"] is True
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(rules) >= {"MTF101", "MTF201"}
    for code in ("MTF101", "MTF201"):
        rule = rules[code]
        assert rule["name"]
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["markdown"].startswith(f"# {code} ")
        assert "## What it does" in rule["help"]["markdown"]

    levels = results_by_level(log)
    # The one finding: `self.count` cannot be converted (its shape is unknown).
    [finding] = levels["warning"]
    assert finding["ruleId"] == "MTF201"
    assert run["tool"]["driver"]["rules"][finding["ruleIndex"]]["id"] == "MTF201"
    assert "self.count" in finding["message"]["text"]
    # Paths are relative to the work tree, not to the current directory.
    assert uri(finding) == "src/model/ops.py"
    line = TF1_AND_KERAS2.splitlines().index(
        "        self.count = tf.Variable(start, trainable=False)"
    ) + 1
    column = TF1_AND_KERAS2.splitlines()[line - 1].index("tf.Variable") + 1
    assert region(finding)["startLine"] == line
    assert region(finding)["startColumn"] == column
    assert region(finding)["endLine"] == line
    assert region(finding)["endColumn"] > column

    # The conversions `apply` would make are notes at the definitions' names.
    notes = {result["ruleId"]: result for result in levels["note"]}
    assert set(notes) == {"MTF101", "MTF201"}
    assert "`dense` can become the Keras layer `Dense`" in notes["MTF101"]["message"]["text"]
    assert region(notes["MTF101"]) == {
        "startLine": 4, "startColumn": 5, "endLine": 4, "endColumn": 10,
    }
    assert region(notes["MTF201"])["startLine"] == 10
    assert region(notes["MTF201"])["startColumn"] == 7


def test_apply_report_has_findings_but_no_conversions(tmp_path, monkeypatch, validator):
    (tmp_path / "ops.py").write_text(TF1_AND_KERAS2)
    result = run_cli(tmp_path, monkeypatch, "apply", "--report", "out.sarif", "ops.py")
    assert result.exit_code == 0, result.output
    log = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert_valid(validator, log)
    assert [r["level"] for r in log["runs"][0]["results"]] == ["warning"]


def test_failed_files_are_error_notifications(tmp_path, monkeypatch, validator):
    (tmp_path / "broken.py").write_text("import tensorflow as tf\nv = tf.Variable(\n")
    (tmp_path / "fine.py").write_text("x = 1\n")
    result = run_cli(tmp_path, monkeypatch, "diff", "--report", "out.sarif", ".")
    assert result.exit_code == 1
    log = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert_valid(validator, log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert "cannot parse" in notification["message"]["text"]
    assert log["runs"][0]["results"] == []


def test_a_clean_run_is_valid_and_empty(tmp_path, monkeypatch, validator):
    (tmp_path / "fine.py").write_text("x = 1\n")
    result = run_cli(tmp_path, monkeypatch, "diff", "--report", "out.sarif", ".")
    assert result.exit_code == 0
    log = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert_valid(validator, log)
    assert log["runs"][0]["results"] == []


def test_unknown_codes_paths_outside_the_root_and_odd_characters(tmp_path, validator):
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "elsewhere" / "a b.py"
    result = RunResult(
        files=[
            FileResult(
                path=str(root / "dir with space" / "ü.py"),
                status="changed",
                findings=(
                    Finding(3, 1, "MTF902", "a `message` | with \"quotes\"",
                            range=CodeRange(3, 1, 5, 2)),
                    Finding(1, 1, "MTF902", "no range"),
                ),
                conversions=(
                    Conversion("MTF901", "renamed", "OLD_NAME", "NEW_NAME", 7),
                ),
            ),
            FileResult(path=str(outside), status="unchanged",
                       findings=(Finding(2, 4, "MTF902", "outside"),)),
        ]
    )
    context = ReportContext(command="diff", paths=(str(root),), settings=Settings(),
                            rules=("MTF901", "MTF902"))
    log = sarif_report(result, context, root=root)
    assert_valid(validator, log)
    # Files come in path order: the one outside the root first, by its absolute path.
    results = log["runs"][0]["results"]
    assert [uri(r) for r in results] == [
        outside.as_uri(),
        "dir%20with%20space/%C3%BC.py",
        "dir%20with%20space/%C3%BC.py",
        "dir%20with%20space/%C3%BC.py",
    ]
    assert "uriBaseId" not in results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert region(results[1]) == {"startLine": 1, "startColumn": 1}
    assert region(results[2]) == {"startLine": 3, "startColumn": 1, "endLine": 5, "endColumn": 2}
    assert results[3]["level"] == "note"
    assert region(results[3]) == {"startLine": 7, "startColumn": 1}
    # Codes no registered rule has still get a descriptor (the id alone).
    assert [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]] == ["MTF901", "MTF902"]


def test_write_report_writes_sarif_json(tmp_path, validator):
    path = tmp_path / "report.sarif"
    write_report(path, RunResult(), ReportContext(command="apply"))
    log = json.loads(path.read_text(encoding="utf-8"))
    assert_valid(validator, log)
    assert log["runs"][0]["tool"]["driver"]["name"] == "migrate-tf"


def test_the_schema_check_is_not_vacuous(validator):
    log = sarif_report(RunResult(), ReportContext(command="diff"), root=Path.cwd())
    log["runs"][0]["results"] = [{"ruleId": "MTF101", "level": "severe", "message": {"text": "x"}}]
    assert list(validator.iter_errors(log))


def test_verify_refuses_a_sarif_report(tmp_path, monkeypatch):
    (tmp_path / "ops.py").write_text("x = 1\n")
    result = run_cli(tmp_path, monkeypatch, "verify", "--report", "out.sarif", "ops.py")
    assert result.exit_code == 2
    assert "not SARIF" in result.stderr
    assert not (tmp_path / "out.sarif").exists()
