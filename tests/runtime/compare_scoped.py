"""Comparisons of what the TF1 side and the Keras 3 layers side recorded. No TensorFlow.

Each function takes the records of one ``[[function]]`` table (``old`` from before.py
in a TF1 graph, ``new`` from after.py under Keras 3; see ``scoped.empty_record``) and
returns a list of problems, one readable sentence each; an empty list means the check
passed. Variables are matched by name: the TF1 name without ``:0`` on the old side,
the Keras 3 ``path`` on the new side.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np


def _sibling(name: str):
    """The module ``tests/runtime/<name>.py``: already imported as ``name`` (the side
    processes run from this directory) or under the unique name the test modules use,
    else imported now under that unique name (no bare ``common`` on sys.path in pytest)."""
    path = Path(__file__).resolve().with_name(f"{name}.py")
    unique = f"migrate_tf_golden_runtime_{name}"
    for key in (name, unique):
        module = sys.modules.get(key)
        if module is not None and Path(getattr(module, "__file__", "") or "").resolve() == path:
            return module
    spec = importlib.util.spec_from_file_location(unique, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    spec.loader.exec_module(module)
    return module


compare = _sibling("compare")

OLD = "TF1"
#: Outputs and regularization losses: the tolerance of the MTF201 check.
RTOL = compare.RTOL
ATOL = compare.ATOL


def pair_functions(old_case: dict | None, new_case: dict | None) -> tuple[list[tuple[dict, dict]], list[str]]:
    """Match the ``[[function]]`` records of one case on both sides."""
    if old_case is None or new_case is None:
        missing = "TF1" if old_case is None else "Keras 3"
        return [], [f"the {missing} side has no result for this case"]
    problems = []
    if old_case.get("error"):
        problems.append("before.py failed in the TF1 graph:\n" + old_case["error"])
    if new_case.get("error"):
        problems.append("after.py failed under Keras 3:\n" + new_case["error"])
    if problems:
        return [], problems
    old_names = [(r["function"], r["layer"]) for r in old_case["functions"]]
    new_names = [(r["function"], r["layer"]) for r in new_case["functions"]]
    if old_names != new_names:
        return [], [f"the sides ran different functions: TF1 {old_names}, Keras 3 {new_names}"]
    return list(zip(old_case["functions"], new_case["functions"])), []


def _label(old: dict) -> str:
    return f"{old['function']} -> {old['layer']}"


def compare_variable_set(old: dict, new: dict) -> list[str]:
    """The same variables by name: TF1 names (without ``:0``) = Keras 3 paths, each once."""
    where = _label(old)
    problems = []
    if not old["variables"]:
        problems.append(f"{where}: the TF1 function creates no variable; the case checks nothing")
    missing = sorted(set(old["variables"]) - set(new["variables"]))
    extra = sorted(set(new["variables"]) - set(old["variables"]))
    if missing:
        problems.append(f"{where}: TF1 variable(s) missing after the rewrite: {missing}")
    if extra:
        problems.append(f"{where}: Keras 3 weight path(s) that are no TF1 variable: {extra}")
    for side, record in ((OLD, old), ("Keras 3", new)):
        if record["duplicates"]:
            problems.append(
                f"{where}: under {side}, more than one variable has the name(s) "
                f"{record['duplicates']} (one variable became several)"
            )
    return problems


def compare_variable_attributes(old: dict, new: dict) -> list[str]:
    """Equal shapes, dtypes and trainable flags, variable by variable."""
    where = _label(old)
    problems = []
    for name in sorted(set(old["variables"]) & set(new["variables"])):
        v_old, v_new = old["variables"][name], new["variables"][name]
        for key in ("shape", "dtype", "trainable"):
            if v_old[key] != v_new[key]:
                problems.append(
                    f"{where}: {name}: {key} {v_old[key]!r} under TF1, {v_new[key]!r} after"
                )
    return problems


def compare_initial_values(old: dict, new: dict, sigmas: float = compare.SIGMAS) -> list[str]:
    """Constants exactly; random initial values in mean and std (``sigmas`` standard errors)."""
    where = _label(old)
    problems = []
    for name in sorted(set(old["variables"]) & set(new["variables"])):
        problems += compare.compare_initial_value(
            f"{where}: {name}", old["variables"][name], new["variables"][name], sigmas, old=OLD
        )
    return problems


def compare_outputs(old: dict, new: dict, rtol: float = RTOL, atol: float = ATOL) -> list[str]:
    """Outputs of every call after the same known values were assigned by name, and with
    the initial values when every one of them is a constant."""
    where = _label(old)
    problems = []
    calls = len(old["outputs"])
    if len(new["outputs"]) != calls:
        return [f"{where}: {len(new['outputs'])} call(s) after the rewrite, {calls} under TF1"]
    constant = all(v["deterministic"] for v in old["variables"].values()) and all(
        v["deterministic"] for v in new["variables"].values()
    )
    for call in range(calls):
        label = where if calls == 1 else f"{where}, call {call + 1}"
        if constant:
            problems += compare.compare_output_lists(
                f"{label}, initial values", old["first_outputs"][call],
                new["first_outputs"][call], rtol, atol, old=OLD,
            )
        problems += compare.compare_output_lists(
            f"{label}, after assigning known values", old["outputs"][call],
            new["outputs"][call], rtol, atol, old=OLD,
        )
    return problems


def compare_regularization(old: dict, new: dict, rtol: float = RTOL, atol: float = ATOL) -> list[str]:
    """The same number of regularization losses, with the same sum after assigning the
    known values (TF1: the ``REGULARIZATION_LOSSES`` collection; Keras 3: ``layer.losses``)."""
    where = _label(old)
    r_old, r_new = old["regularization"], new["regularization"]
    problems = []
    if r_old["count"] != r_new["count"]:
        problems.append(
            f"{where}: {r_new['count']} regularization loss(es) after the rewrite, "
            f"{r_old['count']} under TF1"
        )
    if not np.isclose(r_new["sum"], r_old["sum"], rtol=rtol, atol=atol):
        ratio = r_new["sum"] / r_old["sum"] if r_old["sum"] else float("inf")
        problems.append(
            f"{where}: regularization losses sum to {r_new['sum']!r} after the rewrite, "
            f"{r_old['sum']!r} under TF1 (ratio {ratio:.4g})"
        )
    return problems


def compare_constraints(old: dict, new: dict, rtol: float = RTOL, atol: float = ATOL) -> list[str]:
    """The same variables have a constraint, and it maps the known value to the same values."""
    where = _label(old)
    problems = []
    c_old, c_new = old["constraints"], new["constraints"]
    for name in sorted(set(c_old) - set(c_new)):
        problems.append(f"{where}: {name} has a constraint under TF1 and none after the rewrite")
    for name in sorted(set(c_new) - set(c_old)):
        problems.append(f"{where}: {name} has a constraint after the rewrite and none under TF1")
    for name in sorted(set(c_old) & set(c_new)):
        a_old, a_new = np.asarray(c_old[name]), np.asarray(c_new[name])
        if a_old.shape != a_new.shape or not np.allclose(a_new, a_old, rtol=rtol, atol=atol):
            problems.append(f"{where}: {name}: the constraint gives other values after the rewrite")
    return problems


def check_sharing(old: dict, new: dict) -> list[str]:
    """One set of weights: calling again creates no variable on either side, and the
    Keras 3 layer uses the very same weights on every call."""
    where = _label(old)
    problems = []
    for side, record in ((OLD, old), ("Keras 3", new)):
        first = record["per_call"][0] if record["per_call"] else []
        for call, names in enumerate(record["per_call"][1:], start=2):
            grown = sorted(set(names) - set(first))
            if names != first:
                problems.append(
                    f"{where}: under {side}, call {call} changed the variables"
                    + (f" (new: {grown})" if grown else "")
                )
        if record["duplicates"]:
            problems.append(
                f"{where}: under {side}, name(s) {record['duplicates']} belong to more than one "
                "variable: a shared scope became separate weights"
            )
    if not new["same_objects"]:
        problems.append(f"{where}: the Keras 3 layer did not use the same weight objects on every call")
    return problems
