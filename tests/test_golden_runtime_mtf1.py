"""Runtime equivalence of the MTF1xx golden cases: TF1 functions vs Keras 3 layers.

For every MTF1xx golden case whose after.py differs from its before.py, the functions
named in case.toml (``[[function]]`` tables) run in two processes:

* ``tests/runtime/tf1_side.py`` calls the function of before.py in a TF1 graph
  (``tensorflow.compat.v1``, ``disable_v2_behavior()``, tf_keras for ``tf.layers``);
* ``tests/runtime/keras3_layers_side.py`` builds and calls the layer of after.py
  under Keras 3.

Both run all cases, concurrently, once per test session; the tests compare the two
records with ``tests/runtime/compare_scoped.py``, one test per kind of comparison,
variables matched by name (TF1 name without ``:0`` = Keras 3 ``path``). The last
tests run deliberately wrong after.py files through the same machinery and check
that the comparison meant to catch each one does.
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
RULE_DIR = "MTF101-scoped-function-to-layer"


def _load(name: str, path: Path):
    unique = f"migrate_tf_golden_runtime_{name}"
    if unique in sys.modules:
        return sys.modules[unique]
    spec = importlib.util.spec_from_file_location(unique, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    spec.loader.exec_module(module)
    return module


common = _load("common", RUNTIME / "common.py")
processes = _load("processes", RUNTIME / "processes.py")
scoped = _load("scoped", RUNTIME / "scoped.py")
compare_scoped = _load("compare_scoped", RUNTIME / "compare_scoped.py")

CASES = common.discover_cases(kind="function")
RUNNABLE = [case for case in CASES if case.runnable]
RUNNABLE_IDS = [case.id for case in RUNNABLE]


# Deliberately wrong after.py files ------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """A broken copy of a golden after.py and the comparisons that must catch it."""

    name: str
    case: str  # case directory under golden/MTF101-scoped-function-to-layer/
    edits: tuple[tuple[str, str], ...]  # (regex, replacement), each applied once
    caught_by: tuple[str, ...]  # names of functions in compare_scoped.py

    @property
    def id(self) -> str:
        return f"mutant:{self.name}"


MUTANTS = [
    # A variable forgotten: the bias is neither created nor used.
    Mutant("missing-variable", "compat-v1-import-linear",
           ((r"(?s)\n        self\.b = self\.add_weight\(.*?\n        \)", ""),
            (r" \+ self\.b\b", "")),
           ("compare_variable_set",)),
    # A shape copied wrongly (still runs: [1] broadcasts).
    Mutant("wrong-shape", "positional-get-variable-args",
           ((r"shape=\[self\.n_out\]", "shape=[1]"),),
           ("compare_variable_attributes",)),
    # The classic trap: Keras's RandomNormal default stddev (0.05) for TF1's 1.0.
    Mutant("keras-default-stddev", "random-normal-default-stddev",
           ((r"RandomNormal\(stddev=1\.0\)", "RandomNormal()"),),
           ("compare_initial_values",)),
    # tf.contrib.layers.l2_regularizer(s) is s * sum(w**2) / 2; keras L2(s) is not halved.
    Mutant("regularizer-not-halved", "l2-regularizer-halved",
           ((r"L2\(self\.weight_decay / 2\)", "L2(self.weight_decay)"),),
           ("compare_regularization",)),
    # trainable=False lost on the way.
    Mutant("trainable-false-dropped", "trainable-false-running-stats",
           ((r",\s*trainable=False,?", ""),),
           ("compare_variable_attributes",)),
    # scope.reuse_variables() ignored: two encoders under one name.
    Mutant("unshared-reused-scope", "share-reuse-variables-siamese",
           ((r"\n        self\.encoder = Encoder\(([^)]*)\)",
             r"\n        self.encoder = Encoder(\1)\n        self.encoder_b = Encoder(\1)"),
            (r"eb = self\.encoder\(b\)", "eb = self.encoder_b(b)")),
           ("compare_variable_set", "check_sharing")),
    # An activation lost.
    Mutant("wrong-output", "contract-dense-mlp",
           ((r"tf\.nn\.relu\(self\.fc1\(x\)\)", "self.fc1(x)"),),
           ("compare_outputs",)),
    # Unnamed tf.layers.dense calls are dense, dense_1, ...: naming them all "dense".
    Mutant("unnamed-layers-same-name", "tf-layers-dense-unnamed",
           ((r'name="dense_1"', 'name="dense"'),),
           ("compare_variable_set",)),
    # A constraint dropped.
    Mutant("constraint-dropped", "constraint-clip-by-norm",
           ((r"\s*constraint=[^\n]*\n", "\n"),),
           ("compare_constraints",)),
    # tf.random_uniform_initializer() is [0, 1); Keras's RandomUniform() is [-0.05, 0.05).
    Mutant("keras-default-uniform", "random-uniform-default-range",
           ((r"RandomUniform\([^)]*\)", "RandomUniform()"),),
           ("compare_initial_values",)),
]


def _write_mutant(mutant: Mutant, directory: Path) -> tuple[Path | None, str | None]:
    """The mutant after.py written under ``directory``, or why it could not be made."""
    case_dir = common.GOLDEN / RULE_DIR / mutant.case
    if not (case_dir / "after.py").is_file():
        return None, f"golden case {mutant.case} is gone; update MUTANTS"
    text = (case_dir / "after.py").read_text(encoding="utf-8")
    for pattern, replacement in mutant.edits:
        text, count = re.subn(pattern, replacement, text, count=1)
        if count == 0:
            return None, (
                f"pattern {pattern!r} not found in {mutant.case}/after.py; "
                "the golden file changed: update MUTANTS"
            )
    path = directory / f"{mutant.name}.py"
    path.write_text(text, encoding="utf-8")
    return path, None


# Running the two sides ------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Both sides, run once for every runnable case (and the mutants on the Keras 3 side)."""
    work = tmp_path_factory.mktemp("golden-runtime-mtf1")
    mutant_paths, mutant_errors = {}, {}
    for mutant in MUTANTS:
        path, error = _write_mutant(mutant, work)
        if error:
            mutant_errors[mutant.id] = error
        else:
            mutant_paths[mutant.id] = (mutant, path)
    tf1_manifest = [
        {"id": case.id, "module": str(case.before), "toml": str(case.toml)} for case in RUNNABLE
    ]
    keras3_manifest = [
        {"id": case.id, "module": str(case.after), "toml": str(case.toml)} for case in RUNNABLE
    ] + [
        {"id": mutant_id, "module": str(path),
         "toml": str(common.GOLDEN / RULE_DIR / mutant.case / "case.toml")}
        for mutant_id, (mutant, path) in mutant_paths.items()
    ]
    started = time.monotonic()
    deadline = started + SIDE_TIMEOUT
    children = [
        processes.start("tf1", tf1_manifest, work, legacy_keras=True),
        processes.start("keras3_layers", keras3_manifest, work, legacy_keras=False),
    ]
    results = {child["side"]: processes.finish(child, deadline, SIDE_TIMEOUT) for child in children}
    for side, result in results.items():
        if "error" in result:
            pytest.fail(f"the {side} side {result['error']}", pytrace=False)
    return {
        "tf1": results["tf1"]["cases"],
        "keras3": results["keras3_layers"]["cases"],
        "mutant_errors": mutant_errors,
        "seconds": time.monotonic() - started,
    }


def _problems(runs, case_id: str, check, new_id: str | None = None) -> list[str]:
    pairs, problems = compare_scoped.pair_functions(
        runs["tf1"].get(case_id), runs["keras3"].get(new_id or case_id)
    )
    for old, new in pairs:
        problems += check(old, new)
    return problems


def _assert_none(problems: list[str]) -> None:
    assert not problems, "\n".join(problems)


# The golden cases ----------------------------------------------------------------------


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_same_variable_names(runs, case_id):
    """The Keras 3 weight paths are the TF1 variable names (without ``:0``), each once."""
    _assert_none(_problems(runs, case_id, compare_scoped.compare_variable_set))


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_same_shapes_dtypes_trainable(runs, case_id):
    _assert_none(_problems(runs, case_id, compare_scoped.compare_variable_attributes))


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_initial_values_agree(runs, case_id):
    """Constants exactly; random initial values in mean and std (5 standard errors)."""
    _assert_none(_problems(runs, case_id, compare_scoped.compare_initial_values))


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_outputs_agree(runs, case_id):
    """Outputs of every call after assigning the same values by name (rtol 1e-6, atol 1e-5)."""
    _assert_none(_problems(runs, case_id, compare_scoped.compare_outputs))


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_regularization_losses_agree(runs, case_id):
    """Same number of regularization losses, same sum after assigning the same values."""
    _assert_none(_problems(runs, case_id, compare_scoped.compare_regularization))


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_constraints_agree(runs, case_id):
    _assert_none(_problems(runs, case_id, compare_scoped.compare_constraints))


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_sharing_gives_one_set_of_weights(runs, case_id):
    """Calling again (under reuse, in TF1) creates no variable; no name is held twice."""
    _assert_none(_problems(runs, case_id, compare_scoped.check_sharing))


# The check itself --------------------------------------------------------------------------


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_check_catches_broken_after(runs, mutant):
    """A deliberately wrong after.py is reported by the comparison meant to catch it."""
    if mutant.id in runs["mutant_errors"]:
        pytest.fail(runs["mutant_errors"][mutant.id], pytrace=False)
    if runs["keras3"][mutant.id].get("error"):
        pytest.fail("the mutant failed to run:\n" + runs["keras3"][mutant.id]["error"])
    case_id = f"{RULE_DIR}/{mutant.case}"
    silent = [
        name
        for name in mutant.caught_by
        if not _problems(runs, case_id, getattr(compare_scoped, name), new_id=mutant.id)
    ]
    assert not silent, f"{', '.join(silent)} did not notice the mutant {mutant.name}"


def test_both_sides_fast(runs):
    """Both processes together stay well under a minute."""
    assert runs["seconds"] < 60, f"the two sides took {runs['seconds']:.1f} s"


# The corpus --------------------------------------------------------------------------------

#: (cases, unchanged cases) a rule's corpus needs at least; other MTF1xx rules: (14, 4).
MINIMUM_CASES = {RULE_DIR: (30, 6)}


def test_corpus_shape():
    """Enough cases and refusals, small before.py files, and every changed case runs."""
    problems = []
    by_rule: dict[str, list] = {}
    for case in CASES:
        by_rule.setdefault(case.rule, []).append(case)
    if RULE_DIR not in by_rule:
        problems.append(f"golden/{RULE_DIR} has no case")
    for rule, cases in sorted(by_rule.items()):
        unchanged = [c for c in cases if c.after.is_file() and not c.changed]
        want_cases, want_unchanged = MINIMUM_CASES.get(rule, (14, 4))
        if len(cases) < want_cases:
            problems.append(f"{rule}: {len(cases)} cases, want at least {want_cases}")
        if len(unchanged) < want_unchanged:
            problems.append(
                f"{rule}: {len(unchanged)} unchanged cases, want at least {want_unchanged}"
            )
    for case in CASES:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case.name):
            problems.append(f"{case.id}: case name is not kebab-case")
        lines = case.before.read_text(encoding="utf-8").count("\n")
        if not 10 <= lines <= 50:
            problems.append(f"{case.id}: before.py has {lines} lines, want 10 to 50 (one idea)")
        if not case.after.is_file():
            problems.append(f"{case.id}: after.py is missing")
            continue
        if case.changed and not case.toml.is_file():
            problems.append(f"{case.id}: after.py differs from before.py but there is no case.toml")
        if case.toml.is_file():
            try:
                scoped.read_functions(case.toml)
            except ValueError as error:
                problems.append(str(error))
        for path in (case.before, case.after):
            try:
                compile(path.read_text(encoding="utf-8"), str(path), "exec")
            except SyntaxError as error:
                problems.append(f"{path}: {error}")
    _assert_none(problems)
