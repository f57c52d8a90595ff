"""Runtime equivalence of the golden cases: before.py under Keras 2, after.py under Keras 3.

For every golden case whose after.py differs from its before.py and that has a
case.toml, the layers named there are built and called in two processes, one per
Keras (the version is fixed per process when TensorFlow is imported):

* ``tests/runtime/keras2_side.py`` runs before.py with tf_keras (``TF_USE_LEGACY_KERAS=1``);
* ``tests/runtime/keras3_side.py`` runs after.py, and before.py, with Keras 3.

Both processes run all cases, concurrently, once per test session. The tests then
compare the two records with the plain functions of ``tests/runtime/compare.py``, one
test per kind of comparison, so a failure names what broke. The last tests feed
deliberately broken after.py files through the same machinery and check that the
comparisons catch them.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parent / "runtime"
#: Each side imports TensorFlow once (about 5 s) and runs every case; far below this.
SIDE_TIMEOUT = 300


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


common = _load("migrate_tf_golden_runtime_common", RUNTIME / "common.py")
compare = _load("migrate_tf_golden_runtime_compare", RUNTIME / "compare.py")
processes = _load("migrate_tf_golden_runtime_processes", RUNTIME / "processes.py")

#: The cases whose case.toml has ``[[layer]]`` tables (the MTF1xx function-to-layer
#: cases have their own module, tests/test_golden_runtime_mtf1.py).
CASES = common.discover_cases(kind="layer")
RUNNABLE = [case for case in CASES if case.runnable]
RUNNABLE_IDS = [case.id for case in RUNNABLE]


# Deliberately wrong after.py files ------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """A broken copy of a golden after.py and the comparisons that must catch it."""

    name: str
    case: str  # case directory name under golden/MTF201-untracked-variable-attribute/
    pattern: str | None  # regex replaced in after.py; None: use before.py as after.py
    replacement: str
    caught_by: tuple[str, ...]  # names of functions in compare.py

    @property
    def id(self) -> str:
        return f"mutant:{self.name}"


RULE_DIR = "MTF201-untracked-variable-attribute"
MUTANTS = [
    # The classic trap: Keras's RandomNormal default stddev (0.05) instead of TF's 1.0.
    Mutant("keras-default-stddev", "init-random-normal-default-stddev",
           r"RandomNormal\(stddev=1(\.0*)?\)", "RandomNormal(stddev=0.05)",
           ("compare_initial_values",)),
    # RandomUniform without TF's [0, 1) / explicit bounds: Keras's [-0.05, 0.05).
    Mutant("keras-default-uniform-bounds", "random-uniform-import-keras",
           r"RandomUniform\([^)]*\)", "RandomUniform()",
           ("compare_initial_values",)),
    # trainable=False lost on the way.
    Mutant("trainable-false-dropped", "non-trainable-moving-mean",
           r",\s*trainable=False,?", "",
           ("compare_variables", "compare_tracking")),
    # int32 counter silently becomes float32.
    Mutant("int-dtype-dropped", "int-step-counter-non-trainable",
           r"\s*dtype=\"int32\",", "",
           ("compare_variables",)),
    # A constant copied wrongly.
    Mutant("wrong-constant", "fill-constant-from-layers-import",
           r"Constant\(value=0\.5\)", "Constant(value=0.25)",
           ("compare_initial_values", "compare_outputs")),
    # The rule not applied at all: raw tf.Variable under Keras 3.
    Mutant("not-migrated", "layer-converted-module-untouched", None, "",
           ("compare_variables", "compare_tracking")),
]


def _write_mutant(mutant: Mutant, directory: Path) -> tuple[Path | None, str | None]:
    """The mutant after.py written under ``directory``, or why it could not be made."""
    case_dir = common.GOLDEN / RULE_DIR / mutant.case
    if not (case_dir / "after.py").is_file():
        return None, f"golden case {mutant.case} is gone; update MUTANTS"
    if mutant.pattern is None:
        text = (case_dir / "before.py").read_text(encoding="utf-8")
    else:
        original = (case_dir / "after.py").read_text(encoding="utf-8")
        text, count = re.subn(mutant.pattern, mutant.replacement, original, count=1)
        if count == 0:
            return None, (
                f"pattern {mutant.pattern!r} not found in {mutant.case}/after.py; "
                "the golden file changed: update MUTANTS"
            )
    path = directory / f"{mutant.name}.py"
    path.write_text(text, encoding="utf-8")
    return path, None


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Both sides, run once for every runnable case (and the mutants on the Keras 3 side)."""
    work = tmp_path_factory.mktemp("golden-runtime")
    mutant_paths, mutant_errors = {}, {}
    for mutant in MUTANTS:
        path, error = _write_mutant(mutant, work)
        if error:
            mutant_errors[mutant.id] = error
        else:
            mutant_paths[mutant.id] = (mutant, path)
    keras2_manifest = [
        {"id": case.id, "module": str(case.before), "toml": str(case.toml), "old": True}
        for case in RUNNABLE
    ]
    keras3_manifest = [
        {"id": case.id, "module": str(case.after), "before": str(case.before),
         "toml": str(case.toml)}
        for case in RUNNABLE
    ] + [
        {"id": mutant_id, "module": str(path),
         "toml": str(common.GOLDEN / RULE_DIR / mutant.case / "case.toml")}
        for mutant_id, (mutant, path) in mutant_paths.items()
    ]
    started = time.monotonic()
    deadline = started + SIDE_TIMEOUT
    children = [
        processes.start("keras2", keras2_manifest, work, legacy_keras=True),
        processes.start("keras3", keras3_manifest, work, legacy_keras=False),
    ]
    results = {child["side"]: processes.finish(child, deadline, SIDE_TIMEOUT) for child in children}
    for side, result in results.items():
        if "error" in result:
            pytest.fail(f"the {side} side {result['error']}", pytrace=False)
    return {
        "keras2": results["keras2"]["cases"],
        "keras3": results["keras3"]["cases"],
        "mutant_errors": mutant_errors,
        "seconds": time.monotonic() - started,
    }


def _problems(runs, case_id: str, check, k3_id: str | None = None) -> list[str]:
    pairs, problems = compare.pair_layers(
        runs["keras2"].get(case_id), runs["keras3"].get(k3_id or case_id)
    )
    for k2, k3 in pairs:
        if "expected_failure" in k2:
            # before.py cannot run under Keras 2 (case.toml: keras2_before): every
            # comparison becomes the check of after.py against the intended model.
            problems += compare.check_expected_failure(k2, "before.py under Keras 2")
            problems += compare.check_intended(k3)
        else:
            problems += check(k2, k3)
    return problems


def _assert_none(problems: list[str]) -> None:
    assert not problems, "\n".join(problems)


# The golden cases ----------------------------------------------------------------------


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_same_variables(runs, case_id):
    """Same variable attributes, shapes, dtypes and trainable flags."""
    _assert_none(_problems(runs, case_id, compare.compare_variables))


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_every_weight_tracked(runs, case_id):
    """Keras 3 tracks every weight; trainable / non-trainable counts match Keras 2."""
    _assert_none(_problems(runs, case_id, compare.compare_tracking))


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_weight_paths_start_with_layer_name(runs, case_id):
    _assert_none(_problems(runs, case_id, lambda k2, k3: compare.check_paths(k3, k2)))


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_initial_values_agree(runs, case_id):
    """Constants exactly; random initial values in mean and std (5 standard errors)."""
    _assert_none(_problems(runs, case_id, compare.compare_initial_values))


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_outputs_agree(runs, case_id):
    """Outputs after assigning the same values by attribute name (rtol 1e-6, atol 1e-5)."""
    _assert_none(_problems(runs, case_id, compare.compare_outputs))


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_variables_created_once(runs, case_id):
    """Calling the migrated layer again keeps its variables and gives the same outputs."""
    _assert_none(_problems(runs, case_id, lambda k2, k3: compare.check_created_once(k3)))


INTENDED_IDS = [
    case.id for case in RUNNABLE
    if any(layer.get("keras3_before") == "recreated" for layer in common.read_layers(case.toml))
]


@pytest.mark.parametrize("case_id", INTENDED_IDS)
def test_outputs_of_the_intended_model(runs, case_id):
    """Where before.py runs under Keras 3 (making new variables on each call), its first
    call is the intended model; when those variables start from constants, after.py's
    first call computes the same outputs."""
    before = runs["keras3"][case_id]["before_keras3"]
    after = runs["keras3"][case_id]
    if before["error"] or after.get("error"):
        pytest.fail((before["error"] or "") + (after.get("error") or ""), pytrace=False)
    compared = 0
    problems = []
    for old, new in zip(before["layers"], after["layers"]):
        if old.get("created_constant"):
            compared += 1
            problems += compare.compare_output_lists(
                f"{old['class']} first call", old["first_outputs"], new["first_outputs"],
                old="before.py under Keras 3",
            )
    if not compared:
        pytest.skip("the old code's variables start from random values")
    _assert_none(problems)


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_before_is_untracked_under_keras3(runs, case_id):
    """The bug the rule fixes: Keras 3 tracks none of before.py's raw tf.Variables (or,
    where case.toml says so with ``keras3_before``, fails on before.py with that error)."""
    result = runs["keras3"][case_id]["before_keras3"]
    if result["error"]:
        pytest.fail("before.py failed under Keras 3:\n" + result["error"], pytrace=False)
    problems = []
    for layer in result["layers"]:
        problems += compare.check_before_untracked(layer)
    _assert_none(problems)


# The check itself --------------------------------------------------------------------------


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_check_catches_broken_after(runs, mutant):
    """A deliberately wrong after.py is reported by the comparison meant to catch it."""
    if mutant.id in runs["mutant_errors"]:
        pytest.fail(runs["mutant_errors"][mutant.id], pytrace=False)
    case_id = f"{RULE_DIR}/{mutant.case}"
    if runs["keras3"][mutant.id].get("error"):
        pytest.fail("the mutant failed to run:\n" + runs["keras3"][mutant.id]["error"])
    silent = []
    for name in mutant.caught_by:
        if not _problems(runs, case_id, getattr(compare, name), k3_id=mutant.id):
            silent.append(name)
    assert not silent, f"{', '.join(silent)} did not notice the mutant {mutant.name}"


def test_both_sides_fast(runs):
    """Both processes together stay well under a second per case (plus start-up)."""
    budget = 30 + 0.6 * len(RUNNABLE)
    assert runs["seconds"] < budget, (
        f"the two sides took {runs['seconds']:.1f} s for {len(RUNNABLE)} cases (budget {budget:.0f} s)"
    )


# The corpus --------------------------------------------------------------------------------


def test_corpus_shape():
    """Enough cases, enough unchanged ones, and every changed case can be run."""
    by_rule = {}
    for case in CASES:
        by_rule.setdefault(case.rule, []).append(case)
    problems = []
    for rule, cases in sorted(by_rule.items()):
        unchanged = [c for c in cases if not c.changed]
        if len(cases) < 14:
            problems.append(f"{rule}: {len(cases)} cases, want at least 14")
        if len(unchanged) < 4:
            problems.append(f"{rule}: {len(unchanged)} unchanged cases, want at least 4")
    for case in CASES:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case.name):
            problems.append(f"{case.id}: case name is not kebab-case")
        if not case.after.is_file():
            problems.append(f"{case.id}: after.py is missing")
            continue
        if case.changed and not case.toml.is_file():
            problems.append(f"{case.id}: after.py differs from before.py but there is no case.toml")
        if case.toml.is_file():
            try:
                common.read_layers(case.toml)
            except ValueError as error:
                problems.append(str(error))
        for path in (case.before, case.after):
            try:
                compile(path.read_text(encoding="utf-8"), str(path), "exec")
            except SyntaxError as error:
                problems.append(f"{path}: {error}")
    _assert_none(problems)
