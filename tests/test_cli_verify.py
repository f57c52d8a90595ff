"""``migrate-tf verify`` and ``migrate-tf apply --verify`` on the command line.

The three runs that start TensorFlow workers (a project, an OLD NEW pair, an apply)
are started together in one fixture, as separate ``python -m migrate_tf`` processes,
so their TensorFlow start-ups overlap; the tests then read what each printed, wrote
and left on disk. The usage errors and the runs that need no worker run in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate_tf.cli import main
from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import all_rules

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 300


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def environment() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env.pop("TF_USE_LEGACY_KERAS", None)
    env["NO_COLOR"] = "1"
    return env


DENSE = '''
import tensorflow as tf

from .helpers import OFFSET


def dense(x, units, scope="dense"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1], units],
                            initializer=tf.truncated_normal_initializer(stddev=0.1))
        b = tf.get_variable("b", [units], initializer=tf.constant_initializer(OFFSET))
        return tf.matmul(x, w) + b


def leaky(x, alpha, scope="leaky"):
    with tf.variable_scope(scope):
        v = tf.get_variable("v", [3])
        return tf.nn.leaky_relu(x * v, alpha=alpha)
'''

GOOD = '''
def good(x, units=4, scope="good"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1], units])
        return tf.matmul(x, w)
'''

#: converts, but its output depends on the process it runs in: the Keras 3 side differs
DRIFT = '''
def drift(x, scope="drift"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1], 4])
        shift = 1.0 if os.environ.get("TF_USE_LEGACY_KERAS") else 0.0
        return tf.matmul(x, w) + shift
'''

HEADER = "import os\n\nimport tensorflow as tf\n\n"

OLD_PAIR = '''
import tensorflow as tf


def fc(x, units, weight_decay=0.01, scope="fc"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1], units],
                            regularizer=tf.contrib.layers.l2_regularizer(weight_decay))
        return tf.matmul(x, w)
'''

#: the l2 trap: TF1's l2_regularizer(s) is s * sum(w**2) / 2, Keras' L2(s) is s * sum(w**2)
NEW_PAIR_WRONG = '''
import keras
import tensorflow as tf


class Fc(keras.layers.Layer):
    def __init__(self, units, weight_decay=0.01, name="fc", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units
        self.weight_decay = weight_decay

    def build(self, x_shape):
        self.w = self.add_weight(
            name="w",
            shape=[x_shape[-1], self.units],
            regularizer=keras.regularizers.L2(self.weight_decay),
        )

    def call(self, x):
        return tf.matmul(x, self.w)
'''

CLI_PROGRAM = (
    "import sys\n"
    "from migrate_tf.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as stop:\n"
    "    heavy = sorted(m for m in sys.modules if m.startswith(('tensorflow', 'keras', 'tf_keras')))\n"
    "    print('HEAVY', heavy, file=sys.stderr)\n"
    "    raise\n"
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-verify")
    # A: a project (package with a sibling import), cases in pyproject.toml
    project = root / "project"
    write(project / "pyproject.toml", """
        [tool.migrate-tf]

        [tool.migrate-tf.cases.dense]
        x = "float32[4, 16]"
        units = 8
    """)
    write(project / "pkg" / "__init__.py", "")
    write(project / "pkg" / "helpers.py", "OFFSET = 0.25\n")
    write(project / "pkg" / "model.py", DENSE)
    # B: an OLD NEW pair, NEW wrong
    write(root / "pair" / "old.py", OLD_PAIR)
    write(root / "pair" / "new.py", NEW_PAIR_WRONG)
    write(root / "pair" / "migrate-tf.cases.toml", '[fc]\nx = "float32[4, 16]"\nunits = 8\n')
    # C: apply --verify
    apply = root / "apply"
    write(apply / "good.py", HEADER + GOOD.lstrip())
    write(apply / "bad.py", HEADER + DRIFT.lstrip())
    write(apply / "mixed.py", HEADER + GOOD.lstrip() + "\n\n" + DRIFT.lstrip())
    originals = {path.name: path.read_bytes() for path in apply.glob("*.py")}

    commands = {
        "project": ["verify", str(project), "--report", str(root / "project.json")],
        "pair": ["verify", str(root / "pair" / "old.py"), str(root / "pair" / "new.py"),
                 "--report", str(root / "pair.md")],
        "apply": ["apply", "--verify", "--no-progress", str(apply)],
    }
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-c", CLI_PROGRAM, *arguments],
            cwd=root, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )
        for name, arguments in commands.items()
    }
    results = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=TIMEOUT)
        results[name] = {"code": process.returncode, "stdout": stdout, "stderr": stderr}
    results["root"] = root
    results["originals"] = originals
    return results


def _explain(run: dict) -> str:
    return f"exit {run['code']}\n--- stdout\n{run['stdout']}\n--- stderr\n{run['stderr']}"


# A: a project ----------------------------------------------------------------------------


def test_verify_prints_one_row_per_conversion_and_a_summary(runs):
    run = runs["project"]
    assert run["code"] == 0, _explain(run)
    lines = run["stdout"].splitlines()
    assert lines[0].split()[:2] == ["conversion", "variables"]
    dense = next(line for line in lines if "dense -> Dense" in line)
    assert dense.split()[-4:] == ["2/2/0", dense.split()[-3], "ok", "pass"]
    leaky = next(line for line in lines if "leaky -> Leaky" in line and "unverified" in line)
    assert leaky.endswith("unverified: needs a case for x, alpha")
    assert lines[-1].startswith("2 conversions in 1 file (3 scanned): 1 pass, 0 FAIL, 1 unverified")
    assert "TensorFlow processes" in lines[-1]


def test_an_unverified_row_shows_the_lines_to_add(runs):
    stdout = runs["project"]["stdout"]
    expected = textwrap.dedent(f"""
        add to {runs['root'] / 'project' / 'migrate-tf.cases.toml'}:
              [leaky]
              x = "float32[2, 8]"         # a tensor: dtype[shape], your shape
              alpha = ...                 # the value to call it with
    """).strip()
    assert expected in stdout, stdout


def test_the_cli_process_itself_never_imports_tensorflow(runs):
    assert "HEAVY []" in runs["project"]["stderr"], runs["project"]["stderr"]


def test_verify_writes_nothing_into_the_project(runs):
    project = runs["root"] / "project"
    names = sorted(str(p.relative_to(project)) for p in project.rglob("*"))
    assert names == ["pkg", "pkg/__init__.py", "pkg/helpers.py", "pkg/model.py", "pyproject.toml"]


def test_json_report(runs):
    data = json.loads((runs["root"] / "project.json").read_text(encoding="utf-8"))
    assert data["command"] == "verify"
    assert data["summary"]["conversions"] == 2
    assert data["summary"]["pass"] == 1 and data["summary"]["unverified"] == 1
    assert data["options"] == {"rtol": 1e-6, "atol": 1e-5, "timeout": 60.0, "memory_mb": 4096}
    dense = next(row for row in data["rows"] if row["old"] == "dense")
    assert dense["variables"] == {"old": 2, "new": 2, "mismatches": 0}
    assert dense["initializers"] == "ok" and dense["max_difference"] < 1e-5


# B: OLD NEW ------------------------------------------------------------------------------


def test_an_old_new_pair_is_recognised_and_a_wrong_regularizer_fails(runs):
    run = runs["pair"]
    assert run["code"] == 1, _explain(run)
    assert "comparing" in run["stderr"] and "(already migrated), as --pair would" in run["stderr"]
    row = next(line for line in run["stdout"].splitlines() if "fc -> Fc" in line)
    assert "FAIL: regularization: the losses sum to" in row
    assert "(ratio 2)" in run["stdout"]
    assert "1 conversion in 1 file (2 scanned): 0 pass, 1 FAIL, 0 unverified" in run["stdout"]


def test_markdown_report(runs):
    text = (runs["root"] / "pair.md").read_text(encoding="utf-8")
    assert text.startswith("## migrate-tf verify")
    assert "| Conversion | Variables (old/new/mismatches) |" in text
    assert "FAIL: regularization" in text


# C: apply --verify ------------------------------------------------------------------------


def _pipeline_output(source: str, suppress=()) -> str:
    result = migrate_source(source, rules=all_rules(), settings=Settings(), suppress=suppress)
    return result.output


def test_apply_verify_writes_passing_conversions(runs):
    run = runs["apply"]
    good = runs["root"] / "apply" / "good.py"
    source = runs["originals"]["good.py"].decode("utf-8")
    assert good.read_text(encoding="utf-8") == _pipeline_output(source)
    assert "class Good(keras.layers.Layer)" in good.read_text(encoding="utf-8")
    assert run["code"] == 1, _explain(run)  # drift FAILs


def test_apply_verify_leaves_a_file_whose_conversion_fails_byte_identical(runs):
    bad = runs["root"] / "apply" / "bad.py"
    assert bad.read_bytes() == runs["originals"]["bad.py"]
    assert "drift -> Drift" in runs["apply"]["stdout"]
    assert "FAIL: outputs" in runs["apply"]["stdout"]


def test_apply_verify_writes_a_mixed_file_without_its_failing_conversion(runs):
    mixed = runs["root"] / "apply" / "mixed.py"
    source = runs["originals"]["mixed.py"].decode("utf-8")
    drift_line = source.splitlines().index('def drift(x, scope="drift"):') + 1
    expected = _pipeline_output(source, suppress=[("MTF101", drift_line)])
    text = mixed.read_text(encoding="utf-8")
    assert text == expected
    assert "class Good(keras.layers.Layer)" in text and 'def drift(x, scope="drift"):' in text
    stdout = runs["apply"]["stdout"]
    assert "Round 2" in stdout  # mixed.py was verified again without drift
    assert "apply --verify: 2 file(s) written (2 verified conversion(s)); 2 conversion(s) not applied" in stdout


# Without workers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["verify", "-"], "need files, not stdin"),
        (["verify", "--pair", "a.py"], "--pair takes exactly two files"),
        (["apply", "--atol", "0.001", "a.py"], "--atol only applies with --verify"),
        (["apply", "--verify", "-"], "need files, not stdin"),
        (["verify", "a.py", "--report", "r.txt"], "cannot tell the report format"),
    ],
)
def test_usage_errors(tmp_path, monkeypatch, arguments, message):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.py", "x = 1\n")
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_bad_cases_file_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "model.py", HEADER + GOOD.lstrip())
    write(tmp_path / "migrate-tf.cases.toml", "[good]\nx = [\n")
    result = CliRunner().invoke(main, ["verify", "model.py"])
    assert result.exit_code == 2
    assert "cannot read the cases file" in result.output


def test_strict_fails_on_unverified_rows(tmp_path, monkeypatch):
    """Only unverified rows: no worker is started, and --strict makes it exit 1."""
    monkeypatch.chdir(tmp_path)
    leaky = DENSE[DENSE.index("def leaky"):]
    write(tmp_path / "model.py", HEADER + leaky + "\n\n" + leaky.replace("leaky", "other"))
    relaxed = CliRunner().invoke(main, ["verify", "model.py"])
    assert relaxed.exit_code == 0, relaxed.output
    assert "0 pass, 0 FAIL, 2 unverified (0 TensorFlow processes" in relaxed.output
    strict = CliRunner().invoke(main, ["verify", "--strict", "model.py"])
    assert strict.exit_code == 1


def test_nothing_to_verify(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "plain.py", "import numpy as np\n")
    result = CliRunner().invoke(main, ["verify", "."])
    assert result.exit_code == 0
    assert "0 conversions in 0 files (1 scanned)" in result.output


def test_make_demo_ends_with_verify_on_the_examples():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert demo.index("migrate-tf diff") < demo.index("migrate-tf verify")
    assert "verify --no-progress examples/" in demo or "verify examples/" in demo
