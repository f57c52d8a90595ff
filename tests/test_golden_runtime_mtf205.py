"""Runtime equivalence of the MTF205 golden cases: TF1 collection queries vs layer lists.

For every MTF205 golden case whose after.py differs from its before.py, the functions
named in case.toml (``[[selection]]`` tables) run in two processes, concurrently:

* ``tests/runtime/selection_tf1_side.py`` calls before.py's function in a TF1 graph
  (tf_keras, graph mode), where the collection query works: the intended variables;
* ``tests/runtime/selection_keras3_side.py`` calls after.py's function eagerly under
  Keras 3, and before.py's, whose query returns [] there (the bug).

Variables are matched by name: the TF1 name without ``:0`` = the Keras 3 ``path``.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parent / "runtime"
SIDE_TIMEOUT = 300


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
processes = _load("processes")
selection = _load("selection")

CASES = common.discover_cases(kind="selection")
RUNNABLE = [case for case in CASES if case.runnable]
RUNNABLE_IDS = [case.id for case in RUNNABLE]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    work = tmp_path_factory.mktemp("selection-runtime")
    manifest = selection.manifest("both")
    deadline = time.monotonic() + SIDE_TIMEOUT
    children = [
        processes.start("selection_tf1", manifest, work, legacy_keras=True),
        processes.start("selection_keras3", manifest, work, legacy_keras=False),
    ]
    results = {child["side"]: processes.finish(child, deadline, SIDE_TIMEOUT) for child in children}
    for side, result in results.items():
        if "error" in result:
            pytest.fail(f"the {side} side {result['error']}", pytrace=False)
    return {side: result["cases"] for side, result in results.items()}


def _sides(runs, case_id):
    tf1, keras3 = runs["selection_tf1"][case_id], runs["selection_keras3"][case_id]
    for label, result in (("TF1", tf1), ("Keras 3", keras3)):
        if result["error"]:
            pytest.fail(f"the {label} side failed:\n{result['error']}", pytrace=False)
    return tf1, keras3


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_same_variables_selected(runs, case_id):
    """after.py under Keras 3 selects what before.py selected in a TF1 graph."""
    tf1, keras3 = _sides(runs, case_id)
    problems = []
    for old, new in zip(tf1["module"], keras3["module"]):
        problems += selection.compare_selection(old, new)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case_id", RUNNABLE_IDS)
def test_before_selects_nothing_under_keras3(runs, case_id):
    """The bug the rule fixes: under eager execution the query returns []."""
    _, keras3 = _sides(runs, case_id)
    assert all(found == [] for found in keras3["before"]), keras3["before"]


def test_corpus_shape():
    problems = []
    unchanged = [c for c in CASES if not c.changed]
    if len(CASES) < 8:
        problems.append(f"MTF205: {len(CASES)} cases, want at least 8")
    if len(unchanged) < 4:
        problems.append(f"MTF205: {len(unchanged)} unchanged cases, want at least 4")
    for case in CASES:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case.name):
            problems.append(f"{case.id}: case name is not kebab-case")
        if case.changed and not case.toml.is_file():
            problems.append(f"{case.id}: after.py differs from before.py but there is no case.toml")
        if case.toml.is_file():
            selection.read_selections(case.toml)
    assert not problems, "\n".join(problems)
