"""``verify`` end to end: the golden cases, the example project, deliberately wrong
migrations and hostile user code.

Every test of this module shares one pool of worker processes (the legacy process for
TF1 and Keras 2, and Keras 3), so TensorFlow starts twice for the whole module, plus
the restarts that the hostile code forces and a legacy process whenever a run brings
Keras 2 jobs after one that ran TF1 code; the tests of the two-process design start
pools of their own. The verifications run through the harness's Python API
(``verify_units``) exactly as ``migrate-tf verify`` runs them; tests/test_cli_verify.py
covers the command line.

Golden cases. The product's cases format is ``migrate-tf.cases.toml`` (tables named
after a function or class, keys named after parameters); golden/ keeps its own
``case.toml`` format (see golden/README.md). :func:`golden_cases_table` adapts one to
the other: a ``[[function]]`` table becomes ``{**args, **inputs}`` of that function,
a ``[[layer]]`` table becomes ``{**init}`` plus its positional inputs named after the
class's ``call`` parameters; each is qualified with the case's before.py, so one cases
table serves every case. Each golden case runs as ``verify before.py after.py``.
New golden cases of any rule are picked up as they appear.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import textwrap
import time
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from migrate_tf.config import Settings
from migrate_tf.engine.discovery import discover
from migrate_tf.harness.cases import CasesFinder, cases_from_mapping
from migrate_tf.harness.processes import Pool
from migrate_tf.harness.verify import (
    Options,
    VerifyResult,
    Workspace,
    migrate_file,
    pair_unit,
    unit_of,
    verify_units,
)
from migrate_tf.rules import all_rules

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "golden"
EXAMPLES = REPO / "examples"


def _process_gone(pid: int) -> bool:
    """No such process, or a zombie waiting for a reaper (it runs no code)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def _wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _process_gone(pid):
            return True
        time.sleep(0.05)
    return _process_gone(pid)


@pytest.fixture(scope="module")
def pool():
    """The worker processes of this module; when it ends, none of them is left."""
    shared = Pool()
    yield shared
    pids = [pid for worker in shared.workers.values() for pid in worker.pids]
    shared.close()
    assert all(_wait_gone(pid) for pid in pids), "a worker process outlived the pool"


def _rows_by_unit(result: VerifyResult) -> dict[str, list]:
    rows: dict[str, list] = {}
    for row in result.rows:
        rows.setdefault(row.check.unit.display, []).append(row)
    return rows


def _explain(rows) -> str:
    lines = []
    for row in rows:
        lines.append(f"{row.check.location} {row.check.label}: {row.status}")
        lines += [f"    {line}" for detail in row.details for line in detail.splitlines()]
    return "\n".join(lines)


# Golden cases -------------------------------------------------------------------------


def golden_case_dirs() -> list[Path]:
    """Every golden case whose after.py differs from before.py and that has a case.toml."""
    found = []
    for before in sorted(GOLDEN.glob("*/*/before.py")):
        directory = before.parent
        after, toml = directory / "after.py", directory / "case.toml"
        if toml.is_file() and after.is_file() and before.read_bytes() != after.read_bytes():
            tables = tomllib.loads(toml.read_text(encoding="utf-8"))
            if "selection" in tables:
                continue  # MTF205: no layer changes; its own runtime check runs it
            found.append(directory)
    return found


def _is_function(path: Path, name: str) -> bool:
    return any(
        isinstance(node, ast.FunctionDef) and node.name == name
        for node in ast.parse(path.read_text(encoding="utf-8")).body
    )


def _call_parameters(path: Path, class_name: str) -> list[str]:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                # a tf.Module's __call__ becomes the layer's call (MTF202)
                if isinstance(item, ast.FunctionDef) and item.name in ("call", "__call__"):
                    return [arg.arg for arg in item.args.args[1:]]
    raise ValueError(f"{path}: no class {class_name} with a call method")


def golden_cases_table(directories: list[Path]) -> dict:
    """golden case.toml files -> one product cases table (qualified by before.py)."""
    table: dict[str, list[dict]] = {}
    for directory in directories:
        data = tomllib.loads((directory / "case.toml").read_text(encoding="utf-8"))
        before = (directory / "before.py").resolve()
        for layer in data.get("layer", []):
            if _is_function(directory / "before.py", layer["class"]):
                continue  # a model factory (MTF203): the golden runtime check runs it
            names = _call_parameters(directory / "before.py", layer["class"])
            values = {**layer.get("init", {}), **dict(zip(names, layer["inputs"]))}
            table.setdefault(f"{before}:{layer['class']}", []).append(values)
        for function in data.get("function", []):
            values = {**function.get("args", {}), **function["inputs"]}
            table.setdefault(f"{before}:{function['name']}", []).append(values)
    return table


GOLDEN_CASES = golden_case_dirs()
GOLDEN_IDS = [f"{d.parent.name}/{d.name}" for d in GOLDEN_CASES]


@pytest.fixture(scope="module")
def golden_run(pool):
    result = VerifyResult()
    units = []
    for directory, case_id in zip(GOLDEN_CASES, GOLDEN_IDS):
        unit = pair_unit(
            str(directory / "before.py"), str(directory / "after.py"),
            rules=all_rules(), settings=Settings(), project_dir=None, result=result,
        )
        if unit is not None:
            unit.display = case_id
            units.append(unit)
    finder = CasesFinder()
    finder.explicit = cases_from_mapping(
        golden_cases_table(GOLDEN_CASES), where="golden case.toml files", path=None, base=None
    )
    return verify_units(units, finder, Options(), result, pool=pool)


def test_golden_cases_of_every_rule_are_found():
    rules = {d.parent.name.split("-")[0] for d in GOLDEN_CASES}
    assert {"MTF101", "MTF201"} <= rules, rules


def _named_in_case_toml(directory: Path) -> set[str]:
    data = tomllib.loads((directory / "case.toml").read_text(encoding="utf-8"))
    return {t["class"] for t in data.get("layer", [])} | {t["name"] for t in data.get("function", [])}


def _old_code_cannot_run(directory: Path) -> set[str]:
    """Classes whose case.toml says before.py cannot run under Keras 2 at all
    (``keras2_before``): verify can only call them unverified."""
    data = tomllib.loads((directory / "case.toml").read_text(encoding="utf-8"))
    return {t["class"] for t in data.get("layer", []) if t.get("keras2_before")}


@pytest.mark.parametrize("case_id", GOLDEN_IDS)
def test_golden_case_verifies(golden_run, case_id):
    """``verify before.py after.py``: every conversion the case.toml names passes (or,
    when case.toml says the old code cannot run, is unverified because it failed); the
    others (helpers a named function calls) pass or are unverified, never FAIL."""
    directory = GOLDEN / case_id
    issues = [i for i in golden_run.issues if Path(i.path).parent == directory]
    assert not issues, issues
    rows = _rows_by_unit(golden_run).get(case_id)
    assert rows, f"{case_id}: migrating before.py converts nothing"
    named = _named_in_case_toml(directory)
    checked = [row for row in rows if row.check.conversion.old in named]
    factories_only = all(_is_function(directory / "before.py", name) for name in named)
    assert checked or factories_only, (
        f"{case_id}: case.toml names none of {[r.check.conversion.old for r in rows]}"
    )
    cannot_run = _old_code_cannot_run(directory)
    assert all(
        row.verdict == ("unverified" if row.check.conversion.old in cannot_run else "pass")
        for row in checked
    ), _explain(checked)
    assert not [row for row in rows if row.verdict == "FAIL"], _explain(rows)


# Two TensorFlow processes per run ---------------------------------------------------------

MIXED_HELPERS = """
import tensorflow as tf

# TF1 code imports this module with `tensorflow` bound to tensorflow.compat.v1, which
# has get_variable; TensorFlow 2 code sees the real module.
OFFSET = 0.25 if hasattr(tf, "get_variable") else 0.5
"""

MIXED_TF1 = """
import tensorflow as tf

from pkg.helpers import OFFSET


def dense(x, units, scope="dense"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1], units],
                            initializer=tf.constant_initializer(OFFSET))
        return tf.matmul(x, w)
"""

MIXED_KERAS2 = """
import tensorflow as tf

from pkg.helpers import OFFSET


class Shift(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = tf.Variable(tf.ones([3]), trainable=False)

    def call(self, x):
        return x * self.scale + OFFSET
"""

MIXED_CASES = """
[tool.migrate-tf.cases.dense]
x = "float32[4, 16]"
units = 8

[tool.migrate-tf.cases.Shift]
x = "float32[2, 3]"
"""


def _verify_tree(root: Path, pool: Pool | None) -> VerifyResult:
    result = VerifyResult()
    files = discover([str(root)]).files
    result.scanned = len(files)
    with Workspace() as workspace:
        units = []
        for path in files:
            migrated = migrate_file(path, rules=all_rules(), settings=Settings())
            assert migrated.error is None, (path, migrated.error)
            unit = unit_of(migrated, workspace, None)
            if unit is not None:
                units.append(unit)
        return verify_units(units, CasesFinder(), Options(), result, pool=pool)


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    """A project with old Keras 2 and TF1 code that share a module, verified in
    processes of the run's own (no shared pool)."""
    root = tmp_path_factory.mktemp("mixed")
    (root / "pkg").mkdir()
    (root / "pyproject.toml").write_text(MIXED_CASES, encoding="utf-8")
    for name, text in (("__init__", ""), ("helpers", MIXED_HELPERS), ("model", MIXED_TF1),
                       ("layers", MIXED_KERAS2)):
        (root / "pkg" / f"{name}.py").write_text(text.lstrip(), encoding="utf-8")
    return _verify_tree(root, pool=None)


def test_old_keras2_and_tf1_code_run_in_one_tensorflow_process(mixed_run):
    kinds = {row.check.conversion.kind for row in mixed_run.rows}
    assert kinds == {"function-to-layer", "layer-class"}, _explain(mixed_run.rows)
    assert mixed_run.startups == 2
    assert {side: run.starts for side, run in mixed_run.sides.items()} == {"legacy": 1, "keras3": 1}


def test_a_module_shared_with_keras2_code_is_imported_again_for_tf1_code(mixed_run):
    """The Keras 2 job imported pkg.helpers under TensorFlow 2 (OFFSET 0.5); the TF1
    job must see it as TF1 code does (OFFSET 0.25), so the migration, whose Keras 3
    code sees 0.5, is caught changing the initial value."""
    rows = {row.check.conversion.old: row for row in mixed_run.rows}
    assert rows["Shift"].verdict == "pass", _explain([rows["Shift"]])
    assert rows["dense"].verdict == "FAIL", _explain([rows["dense"]])
    assert any(
        detail.startswith("initializers: dense/w: initial value [0.5, 0.5")
        and "in the new code, [0.25, 0.25" in detail
        for detail in rows["dense"].details
    ), _explain([rows["dense"]])


def _old_tf1_jobs(result: VerifyResult) -> list[dict]:
    jobs = {}
    for row in result.rows:
        job = row.check.old_job
        if job is not None and job["side"] == "tf1":
            jobs[job["id"]] = job
    return list(jobs.values())


def _same_results(jobs: list[dict], got: dict, expected: dict) -> None:
    for job in jobs:
        assert {k: v for k, v in got[job["id"]].items() if k != "seconds"} == {
            k: v for k, v in expected[job["id"]].items() if k != "seconds"
        }, job["module"]["path"]


def test_the_legacy_process_gives_each_side_the_records_of_a_process_of_its_own(
    golden_run, mixed_run
):
    """The legacy process runs a run's Keras 2 jobs, then switches to graph mode for its
    TF1 jobs. Every TF1 job of the golden cases and of the mixed project, run again in
    a fresh process that starts with them, gives the same result (variables, initial
    values, outputs, losses, printed output, errors). A Keras 2 job after them gets a
    new process (graph mode is for good) and the result of the first run."""
    for run in (golden_run, mixed_run):
        assert any(row.check.old_job and row.check.old_job["side"] == "keras2" for row in run.rows)
    with Pool() as fresh:
        for run in (golden_run, mixed_run):
            jobs = _old_tf1_jobs(run)
            assert jobs
            alone = fresh.run({"tf1": jobs}, timeout=Options().timeout)["legacy"]
            _same_results(jobs, alone.results, run.sides["legacy"].results)
        assert fresh.workers["legacy"].starts == 1
        keras2_jobs = [row.check.old_job for row in mixed_run.rows
                       if row.check.old_job["side"] == "keras2"]
        again = fresh.run({"keras2": keras2_jobs}, timeout=Options().timeout)["legacy"]
        assert again.starts == 1 and fresh.workers["legacy"].starts == 2
        _same_results(keras2_jobs, again.results, mixed_run.sides["legacy"].results)


# The example project -------------------------------------------------------------------


@pytest.fixture(scope="module")
def examples_run(pool):
    """``verify examples/`` with the project's migrate-tf.cases.toml."""
    result = VerifyResult()
    files = discover([str(EXAMPLES)]).files
    result.scanned = len(files)
    with Workspace() as workspace:
        units = []
        for path in files:
            migrated = migrate_file(path, rules=all_rules(), settings=Settings())
            assert migrated.error is None, (path, migrated.error)
            unit = unit_of(migrated, workspace, None)
            if unit is not None:
                units.append(unit)
        return verify_units(units, CasesFinder(), Options(), result, pool=pool)


def test_example_project_verifies(examples_run):
    rows = examples_run.rows
    assert len(rows) >= 4
    assert {row.check.conversion.kind for row in rows} == {"function-to-layer", "layer-class"}
    assert all(row.verdict == "pass" for row in rows), _explain(rows)
    assert not any(row.check.inferred_values for row in rows), "every example has a case"


# Deliberately wrong migrations -------------------------------------------------------

OLD = '''
import tensorflow as tf


def dense(x, units, scope="dense", reuse=False):
    with tf.variable_scope(scope, reuse=reuse):
        w = tf.get_variable(
            "w",
            [x.get_shape()[-1], units],
            initializer=tf.random_normal_initializer(),
            regularizer=tf.contrib.layers.l2_regularizer(0.1),
        )
        b = tf.get_variable("b", [units], initializer=tf.constant_initializer(0.5))
        return tf.matmul(x, w) + b


def standardize(x, scope="standardize"):
    with tf.variable_scope(scope):
        mean = tf.get_variable(
            "mean", [x.get_shape()[-1]], initializer=tf.zeros_initializer(), trainable=False
        )
        return x - mean


def tower(x, units=4, scope="tower"):
    with tf.variable_scope(scope):
        a = dense(x, units, "shared")
        b = dense(x, units, "shared", reuse=True)
        return a + b


def heads(x, hparams, scope="heads"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1], hparams.n_classes])
        logits = tf.matmul(x, w) * hparams["scale"]
        return {"logits": logits, "probs": tf.nn.softmax(logits)}, tf.reduce_sum(logits)
'''

#: written by hand: what a correct migration of OLD looks like
NEW = '''
import keras
import tensorflow as tf


class Dense(keras.layers.Layer):
    def __init__(self, units, name="dense", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units

    def build(self, x_shape):
        self.w = self.add_weight(
            name="w",
            shape=[x_shape[-1], self.units],
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            regularizer=keras.regularizers.L2(0.05),
        )
        self.b = self.add_weight(
            name="b", shape=[self.units], initializer=keras.initializers.Constant(0.5)
        )

    def call(self, x):
        return tf.matmul(x, self.w) + self.b


class Standardize(keras.layers.Layer):
    def __init__(self, name="standardize", **kwargs):
        super().__init__(name=name, **kwargs)

    def build(self, x_shape):
        self.mean = self.add_weight(
            name="mean", shape=[x_shape[-1]], initializer="zeros", trainable=False
        )

    def call(self, x):
        return x - self.mean


class Tower(keras.layers.Layer):
    def __init__(self, units=4, name="tower", **kwargs):
        super().__init__(name=name, **kwargs)
        self.units = units
        self.shared = Dense(units, name="shared")

    def call(self, x):
        a = self.shared(x)
        b = self.shared(x)
        return a + b


class Heads(keras.layers.Layer):
    def __init__(self, hparams, name="heads", **kwargs):
        super().__init__(name=name, **kwargs)
        self.hparams = hparams

    def build(self, x_shape):
        self.w = self.add_weight(
            name="w", shape=[x_shape[-1], self.hparams.n_classes], initializer="glorot_uniform"
        )

    def call(self, x):
        logits = tf.matmul(x, self.w) * self.hparams["scale"]
        return {"logits": logits, "probs": tf.nn.softmax(logits)}, tf.reduce_sum(logits)
'''

OLD_LAYERS = '''
import tensorflow as tf


class Gain(tf.keras.layers.Layer):
    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.gain = tf.Variable(tf.fill([size], 0.5), name="gain")
        self.calls = tf.Variable(0.0, trainable=False, name="calls")

    def call(self, x):
        return x * self.gain + self.calls
'''

NEW_LAYERS = '''
import keras
import tensorflow as tf


class Gain(tf.keras.layers.Layer):
    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.size = size

    def build(self, input_shape):
        self.gain = self.add_weight(
            name="gain", shape=[self.size], initializer=keras.initializers.Constant(0.5)
        )
        self.calls = self.add_weight(name="calls", shape=(), initializer="zeros", trainable=False)

    def call(self, x):
        return x * self.gain + self.calls
'''

CASES = '''
[dense]
x = "float32[4, 16]"
units = 8

[standardize]
x = "float32[4, 16]"

[tower]
x = "float32[4, 16]"

[heads]
x = "float32[4, 16]"
hparams = { n_classes = 5, scale = 0.5 }

[Gain]
size = 6
x = "float32[3, 6]"
'''

#: name -> (file, pattern, replacement, the row that must fail, what its reason says)
WRONG = {
    "missing-variable": (
        "model", r"\n        self\.b = self\.add_weight\(\n[^\n]*\n        \)\n(.*?) \+ self\.b\n", r"\n\1\n",
        "dense -> Dense", "variables: missing in the new code: dense/b"),
    "wrong-shape": (
        "model", r'name="b", shape=\[self\.units\]', 'name="b", shape=[1]', "dense -> Dense",
        "variables: dense/b: shape [8] -> [1]"),
    "changed-initializer-default": (
        "model", r"RandomNormal\(stddev=1\.0\)", "RandomNormal()", "dense -> Dense",
        "initializers: dense/w: initial std 0.0"),
    "halved-regularizer": (
        "model", r"L2\(0\.05\)", "L2(0.025)", "dense -> Dense",
        "regularization: the losses sum to"),
    "lost-trainable-false": (
        "model", r", trainable=False", "", "standardize -> Standardize",
        "variables: standardize/mean: trainable False -> True"),
    "unshared-reused-scope": (
        "model", r'self\.shared = Dense\(units, name="shared"\)\n(.*)a = self\.shared\(x\)',
        'self.shared = Dense(units, name="shared")\n        self.again = Dense(units, name="shared")\n'
        r'\1a = self.again(x)',
        "tower -> Tower", "sharing: tower/shared/b, tower/shared/w held by more than one weight"),
    "wrong-output": (
        "model", r"return x - self\.mean", "return self.mean - x", "standardize -> Standardize",
        "outputs: call 1 (initial values)"),
    "wrong-output-in-a-dict": (
        "model", r'"probs": tf\.nn\.softmax\(logits\)', '"probs": tf.nn.sigmoid(logits)',
        "heads -> Heads", "outputs: call 1 output [0]['probs']: differ by up to"),
    "layer-not-migrated": (
        "layers", None, "", "Gain", "tracking: Keras 3 does not track calls, gain (raw tf.Variable)"),
    "layer-lost-trainable-false": (
        "layers", r', initializer="zeros", trainable=False', ', initializer="zeros"', "Gain",
        "variables: calls: trainable False -> True"),
}


@pytest.fixture(scope="module")
def wrong_run(pool, tmp_path_factory):
    root = tmp_path_factory.mktemp("wrong")
    (root / "old").mkdir()
    old = {"model": root / "old" / "model.py", "layers": root / "old" / "layers.py"}
    old["model"].write_text(OLD.lstrip(), encoding="utf-8")
    old["layers"].write_text(OLD_LAYERS.lstrip(), encoding="utf-8")
    (root / "old" / "migrate-tf.cases.toml").write_text(CASES, encoding="utf-8")
    correct = {"model": NEW.lstrip(), "layers": NEW_LAYERS.lstrip()}
    variants = {"correct-model": ("model", correct["model"]), "correct-layers": ("layers", correct["layers"])}
    for name, (which, pattern, replacement, _, _) in WRONG.items():
        if pattern is None:
            text = old[which].read_text(encoding="utf-8")
        else:
            text, count = re.subn(pattern, replacement, correct[which], count=1, flags=re.DOTALL)
            assert count == 1, f"{name}: the pattern does not match the hand-written NEW"
        variants[name] = (which, text)
    result = VerifyResult()
    units = []
    for name, (which, text) in variants.items():
        directory = root / name
        directory.mkdir()
        new = directory / f"{which}.py"
        new.write_text(text, encoding="utf-8")
        unit = pair_unit(str(old[which]), str(new), rules=all_rules(), settings=Settings(),
                         project_dir=None, result=result)
        assert unit is not None, result.issues
        unit.display = name
        if name in WRONG:  # only the row the variant breaks; the correct ones check the rest
            label = WRONG[name][3]
            unit.conversions = [
                c for c in unit.conversions if (c.old if c.old == c.new else f"{c.old} -> {c.new}") == label
            ]
        units.append(unit)
    return _rows_by_unit(verify_units(units, CasesFinder(), Options(), result, pool=pool))


@pytest.mark.parametrize("name", ["correct-model", "correct-layers"])
def test_a_correct_hand_written_migration_passes(wrong_run, name):
    rows = wrong_run[name]
    assert len(rows) == (4 if name == "correct-model" else 1)
    assert all(row.verdict == "pass" for row in rows), _explain(rows)


@pytest.mark.parametrize("name", list(WRONG))
def test_a_wrong_migration_fails_for_the_right_reason(wrong_run, name):
    _, _, _, label, reason = WRONG[name]
    rows = {row.check.label: row for row in wrong_run[name]}
    row = rows[label]
    assert row.verdict == "FAIL", _explain([row])
    assert row.reason.startswith(reason), _explain([row])


def test_a_changed_initializer_fails_although_the_outputs_agree(wrong_run):
    row = {r.check.label: r for r in wrong_run["changed-initializer-default"]}["dense -> Dense"]
    assert [p.category for p in row.comparison.problems] == ["initializers"]
    assert row.comparison.max_difference is not None and row.comparison.max_difference < 1e-5


# Hostile code --------------------------------------------------------------------------

HOSTILE = {
    # name: (statement in the old function, statement in the new layer's call). The
    # order keeps restarts few: a worker that dies on its side's last job is not started
    # again, and the two sides restart in parallel.
    "hang": ("", "_spawn_and_hang()"),
    "leave": ("", "sys.exit(3)"),
    "chatty": ("", "print('hello from the new code')"),
    "greedy": ("", "_allocate_without_bound()"),
    "fine": ("", ""),
    "old_crash": ("os.abort()", ""),
    "vanish": ("", "os._exit(3)"),
}


def _hostile_sources(pid_file: Path) -> tuple[str, str, str]:
    old = ["import os", "", "import tensorflow as tf", ""]
    new = [
        "import os",
        "import subprocess",
        "import sys",
        "",
        "import keras",
        "",
        "",
        "def _spawn_and_hang():",
        "    child = subprocess.Popen(['sleep', '300'])",
        f"    with open({str(pid_file)!r}, 'w') as handle:",
        "        handle.write(str(child.pid))",
        "    while True:",
        "        pass",
        "",
        "",
        "def _allocate_without_bound():",
        "    chunks = []",
        "    while True:",
        "        chunks.append(bytes(256 * 1024 * 1024))",
        "",
    ]
    cases = []
    for name, (old_statement, new_statement) in HOSTILE.items():
        class_name = "".join(part.capitalize() for part in name.split("_"))
        old += [
            "",
            f'def {name}(x, scope="{name}"):',
            "    with tf.variable_scope(scope):",
            '        v = tf.get_variable("v", [4], initializer=tf.ones_initializer())',
            f"        {old_statement}" if old_statement else "",
            "        return x * v",
            "",
        ]
        new += [
            "",
            f"class {class_name}(keras.layers.Layer):",
            f'    def __init__(self, name="{name}", **kwargs):',
            "        super().__init__(name=name, **kwargs)",
            "",
            "    def build(self, x_shape):",
            '        self.v = self.add_weight(name="v", shape=[4], initializer="ones")',
            "",
            "    def call(self, x):",
            f"        {new_statement}" if new_statement else "",
            "        return x * self.v",
            "",
        ]
        cases += [f"[{name}]", 'x = "float32[2, 4]"', ""]
    return "\n".join(old), "\n".join(new), "\n".join(cases)


@pytest.fixture(scope="module")
def hostile_run(pool, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    pid_file = root / "sleep.pid"
    old_text, new_text, cases = _hostile_sources(pid_file)
    (root / "old.py").write_text(old_text, encoding="utf-8")
    (root / "new.py").write_text(new_text, encoding="utf-8")
    (root / "migrate-tf.cases.toml").write_text(cases, encoding="utf-8")
    result = VerifyResult()
    unit = pair_unit(str(root / "old.py"), str(root / "new.py"), rules=all_rules(),
                     settings=Settings(), project_dir=None, result=result)
    assert unit is not None, result.issues
    running = {side for side, worker in pool.workers.items() if worker.alive}
    started = time.monotonic()
    verify_units([unit], CasesFinder(), Options(timeout=4), result, pool=pool)
    rows = {row.check.conversion.old: row for row in result.rows}
    return {"rows": rows, "result": result, "pid_file": pid_file, "running": running,
            "seconds": time.monotonic() - started}


@pytest.mark.parametrize(
    "name, verdict, reason",
    [
        ("hang", "FAIL", "the new code failed under Keras 3: timed out after 4 s"),
        ("leave", "FAIL", "the new code failed under Keras 3: the code called sys.exit(3)"),
        ("vanish", "FAIL", "the new code failed under Keras 3: the process exited with status 3"),
        ("greedy", "FAIL", "the new code failed under Keras 3: ran out of memory (limit 4096 MB"),
        ("old_crash", "unverified", "the old code failed under TF1 (compat.v1 graph): the process aborted"),
        ("chatty", "pass", ""),
        ("fine", "pass", ""),
    ],
)
def test_hostile_code_is_reported_for_its_case(hostile_run, name, verdict, reason):
    row = hostile_run["rows"][name]
    assert row.verdict == verdict, _explain([row])
    assert row.reason.startswith(reason), _explain([row])


def test_printing_to_stdout_is_reported_and_kept_out_of_the_protocol(hostile_run):
    row = hostile_run["rows"]["chatty"]
    assert any(
        note.startswith("the new code printed to stdout: 'hello from the new code") for note in row.notes
    ), row.notes


def test_crashed_workers_are_restarted_and_leave_nothing_behind(hostile_run, pool):
    result = hostile_run["result"]
    # hang ends the Keras 3 worker and old_crash the legacy (TF1) worker: each is
    # started again for the cases after them; vanish ends the Keras 3 worker on its
    # last job
    first = {side: 0 if side in hostile_run["running"] else 1 for side in ("keras3", "legacy")}
    assert result.sides["keras3"].starts == first["keras3"] + 1
    assert result.sides["legacy"].starts == first["legacy"] + 1
    assert hostile_run["rows"]["fine"].verdict == "pass"  # the cases after a crash go on
    killed = [
        pid for side in result.sides.values() for pid in side.pids
        if pid not in {w.process.pid for w in pool.workers.values() if w.process is not None}
    ]
    assert killed and all(_wait_gone(pid) for pid in killed)
    sleeper = int(hostile_run["pid_file"].read_text())
    assert _wait_gone(sleeper), "the process the hanging code started is still running"
