"""Every layer pattern of ../shared/seeds/, migrated by the whole tool and run.

tests/seed_patterns/<name>/before.py holds our transcription of one seed example (the
seeds are the documents the project started from; several of their claims are wrong
under Keras 3). Each is migrated with every rule, as `migrate-tf apply` would, and
both sides run as in the golden runtime check (tests/runtime/): before.py under
Keras 2, the migrated code under Keras 3, and before.py under Keras 3 too. For each
pattern the tests show what Keras 3 tracks before the migration (none of its
variables, or it fails) and after it (all of them, the same as Keras 2); patterns that
Keras 3 already handles are left unchanged and shown to be tracked as they are.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import all_rules

ROOT = Path(__file__).resolve().parent
RUNTIME = ROOT / "runtime"
SEEDS = ROOT / "seed_patterns"
SIDE_TIMEOUT = 300

#: seed pattern -> the rules that migrate it (empty: Keras 3 handles it as written)
EXPECTED_RULES = {
    "module-attribute-of-layer": ("MTF202",),
    "module-non-trainable-and-layer-variable": ("MTF201", "MTF202"),
    "same-names-in-module-and-layer": ("MTF201", "MTF202"),
    "nested-layer-built-lazily": (),
    "extend-trainable-weights": ("MTF204",),
    "dense-subclass-sublayer": (),
    "module-calling-add-weight": ("MTF202",),
    "lambda-variable-in-call": ("MTF203",),
    "lambda-weights-from-build": (),
}


def _load(name: str):
    unique = f"migrate_tf_golden_runtime_{name}"
    if unique in sys.modules:
        return sys.modules[unique]
    spec = importlib.util.spec_from_file_location(unique, RUNTIME / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    spec.loader.exec_module(module)
    return module


common = _load("common")
compare = _load("compare")
processes = _load("processes")

NAMES = sorted(path.name for path in SEEDS.iterdir() if (path / "before.py").is_file())


def test_every_seed_pattern_has_an_expectation():
    assert sorted(EXPECTED_RULES) == NAMES


@pytest.fixture(scope="module")
def migrated():
    results = {}
    for name in NAMES:
        source = (SEEDS / name / "before.py").read_text(encoding="utf-8")
        results[name] = migrate_source(
            source, rules=all_rules(), settings=Settings(), filename=f"{name}/before.py"
        )
    return results


@pytest.fixture(scope="module")
def runs(migrated, tmp_path_factory):
    work = tmp_path_factory.mktemp("seed-patterns")
    keras2, keras3 = [], []
    for name in NAMES:
        before, toml = SEEDS / name / "before.py", SEEDS / name / "case.toml"
        after = work / f"{name.replace('-', '_')}_after.py"
        after.write_text(migrated[name].output, encoding="utf-8")
        keras2.append({"id": name, "module": str(before), "toml": str(toml), "old": True})
        keras3.append({"id": name, "module": str(after), "before": str(before), "toml": str(toml)})
    deadline = time.monotonic() + SIDE_TIMEOUT
    children = [
        processes.start("keras2", keras2, work, legacy_keras=True),
        processes.start("keras3", keras3, work, legacy_keras=False),
    ]
    results = {child["side"]: processes.finish(child, deadline, SIDE_TIMEOUT) for child in children}
    for side, result in results.items():
        if "error" in result:
            pytest.fail(f"the {side} side {result['error']}", pytrace=False)
    return {side: result["cases"] for side, result in results.items()}


@pytest.mark.parametrize("name", NAMES)
def test_seed_pattern_is_migrated_by_the_expected_rules(migrated, name):
    result = migrated[name]
    assert result.error is None, result.error
    assert result.findings == [], [f.format(name) for f in result.findings]
    assert result.applied == EXPECTED_RULES[name]


@pytest.mark.parametrize("name", NAMES)
def test_keras3_tracks_the_variables_after_migration(runs, name):
    """The migrated code: the same variables as Keras 2 (or, where the old code never
    ran, the intended model), every one tracked and created once, same outputs."""
    pairs, problems = compare.pair_layers(runs["keras2"].get(name), runs["keras3"].get(name))
    for k2, k3 in pairs:
        if "expected_failure" in k2:
            problems += compare.check_expected_failure(k2, "before.py under Keras 2")
            problems += compare.check_intended(k3)
            continue
        for check in (compare.compare_variables, compare.compare_tracking, compare.compare_outputs):
            problems += check(k2, k3)
        problems += compare.check_created_once(k3)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", [n for n in NAMES if EXPECTED_RULES[n]])
def test_keras3_tracks_none_of_them_before(runs, name):
    """The bug: before.py under Keras 3 tracks none of its variables (or fails, or
    makes new ones on every call)."""
    result = runs["keras3"][name]["before_keras3"]
    assert result["error"] is None, result["error"]
    problems = []
    for layer in result["layers"]:
        if "raw_variables" in layer and not layer["raw_variables"] and layer["weight_count"]:
            problems.append(f"{layer['class']}: Keras 3 tracks before.py's variables already")
        problems += compare.check_before_untracked(layer)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", [n for n in NAMES if not EXPECTED_RULES[n]])
def test_patterns_keras3_handles_are_left_as_they_are(migrated, runs, name):
    """No rule touches them, and Keras 3 tracks what Keras 2 tracked."""
    assert migrated[name].output == migrated[name].source
    result = runs["keras3"][name]["before_keras3"]
    assert result["error"] is None, result["error"]
    assert all(not layer["raw_variables"] for layer in result["layers"])
    assert all(layer["weight_count"] > 0 for layer in result["layers"])
