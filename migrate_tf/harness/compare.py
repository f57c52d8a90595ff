"""Comparing what the old side and the new side recorded. Pure functions, no TensorFlow.

Each ``compare_*`` function takes the two records of one check (see the workers) and
returns problems, one readable sentence each, with a category; no problem means that
part passed. :func:`compare_records` runs them all and summarises the row.

Keys: for function-to-layer conversions a variable's key is its TF1 name without
``:0`` on the old side and its Keras 3 ``path`` on the new side; for layer classes,
its attribute name on both.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

#: The TensorFlow migration guide's numerical-equivalence tolerances.
ATOL = 1e-5
RTOL = 1e-6
#: Random initial values agree when mean and std differ by at most this many standard
#: errors of the difference (the error shrinks with the number of values drawn).
SIGMAS = 5.0

#: Order in which categories decide a row's FAIL reason.
CATEGORIES = (
    "variables",
    "tracking",
    "sharing",
    "outputs",
    "initializers",
    "regularization",
    "constraints",
)


@dataclasses.dataclass(frozen=True)
class Problem:
    category: str
    message: str

    def __str__(self) -> str:
        return f"{self.category}: {self.message}"


@dataclasses.dataclass
class Comparison:
    """The comparison of one row."""

    old_count: int = 0
    new_count: int = 0
    mismatches: int = 0
    max_difference: float | None = None
    initializers: str = "-"  # "ok", "FAIL" or "-" (nothing to compare)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    #: set when outputs could not be compared at all (the row is then unverified)
    incomplete: str | None = None

    @property
    def passed(self) -> bool:
        return not self.problems and self.incomplete is None

    def first_problem(self) -> Problem | None:
        for category in CATEGORIES:
            for problem in self.problems:
                if problem.category == category:
                    return problem
        return self.problems[0] if self.problems else None


def _names(names) -> str:
    names = sorted(names)
    shown = ", ".join(names[:6])
    return shown + (f" and {len(names) - 6} more" if len(names) > 6 else "")


# Variables ---------------------------------------------------------------------------


def compare_variables(old: dict, new: dict, kind: str) -> tuple[list[Problem], int]:
    """The same variables, by key, with equal shape, dtype and trainable flag.
    Returns the problems and the number of mismatching entries."""
    problems: list[Problem] = []
    old_vars, new_vars = old["variables"], new["variables"]
    missing = sorted(set(old_vars) - set(new_vars))
    extra = sorted(set(new_vars) - set(old_vars))
    what = "variable attribute" if kind == "layer-class" else "variable"
    if missing:
        problems.append(Problem("variables", f"missing in the new code: {_names(missing)}"))
    if extra:
        problems.append(Problem("variables", f"not in the old code: {_names(extra)}"))
    differing = 0
    for key in sorted(set(old_vars) & set(new_vars)):
        a, b = old_vars[key], new_vars[key]
        changes = [
            f"{field} {a[field]!r} -> {b[field]!r}"
            for field in ("shape", "dtype", "trainable")
            if a[field] != b[field]
        ]
        if changes:
            differing += 1
            problems.append(Problem("variables", f"{key}: {', '.join(changes)}"))
    if not old_vars:
        problems.append(Problem("variables", f"the old code creates no {what}: nothing to compare"))
    return problems, len(missing) + len(extra) + differing


def compare_tracking(old: dict, new: dict) -> list[Problem]:
    """Layer classes: every new variable is a tracked weight, in the old counts."""
    problems = []
    untracked = [k for k, v in new["variables"].items() if v.get("raw") or not v.get("tracked", True)]
    if untracked:
        problems.append(
            Problem("tracking", f"Keras 3 does not track {_names(untracked)} (raw tf.Variable)")
        )
    for field, label in (("trainable_count", "trainable"), ("non_trainable_count", "non-trainable")):
        if field in old and field in new and old[field] != new[field]:
            problems.append(
                Problem("tracking", f"{new[field]} {label} weight(s) in the new layer, {old[field]} in the old")
            )
    return problems


# Sharing -----------------------------------------------------------------------------


def compare_sharing(old: dict, new: dict, kind: str) -> list[Problem]:
    """One set of variables, used by every call: later calls create none, and no key
    is held by two variables (a reused scope that became separate weights)."""
    problems = []
    if new.get("duplicates"):
        problems.append(
            Problem(
                "sharing",
                f"{_names(new['duplicates'])} held by more than one weight in the new layer "
                "(a reused scope became separate weights)",
            )
        )
    for side, record in (("old", old), ("new", new)):
        if kind == "layer-class" and side == "old":
            continue  # a Keras 2 layer may remake variables in call; that is what was fixed
        calls = record.get("per_call", [])[: len(old.get("per_call", []))]
        for number, names in enumerate(calls[1:], start=2):
            if names != calls[0]:
                grown = sorted(set(names) - set(calls[0]))
                problems.append(
                    Problem(
                        "sharing",
                        f"call {number} of the {side} code changed its variables"
                        + (f" (new: {_names(grown)})" if grown else ""),
                    )
                )
    if not new.get("same_objects", True):
        problems.append(Problem("sharing", "the new layer did not use the same weights on every call"))
    return problems


# Outputs -------------------------------------------------------------------------------


def compare_output_lists(where: str, old: list[dict], new: list[dict], rtol: float, atol: float):
    """Two flat output lists: (problems, largest absolute difference or None)."""
    if [o["path"] for o in old] != [o["path"] for o in new]:
        return [
            Problem(
                "outputs",
                f"{where}: the structure differs: old {[o['path'] or '.' for o in old]}, "
                f"new {[o['path'] or '.' for o in new]}",
            )
        ], None
    problems = []
    largest = None
    for a, b in zip(old, new):
        label = f"{where}{' output ' + a['path'] if a['path'] else ''}"
        if a["shape"] != b["shape"]:
            problems.append(Problem("outputs", f"{label}: shape {b['shape']} in the new code, {a['shape']} in the old"))
            continue
        if a["dtype"] != b["dtype"]:
            problems.append(Problem("outputs", f"{label}: dtype {b['dtype']} in the new code, {a['dtype']} in the old"))
            continue
        x, y = np.asarray(a["values"], dtype=np.float64), np.asarray(b["values"], dtype=np.float64)
        if x.shape != y.shape:
            problems.append(Problem("outputs", f"{label}: {y.size} values in the new code, {x.size} in the old"))
            continue
        if not x.size:
            continue
        both_nan = np.isnan(x) & np.isnan(y)
        difference = np.where(both_nan, 0.0, np.abs(x - y))
        difference = np.where(np.isnan(difference), np.inf, difference)
        worst = int(np.argmax(difference))
        largest = max(largest or 0.0, float(difference[worst]))
        if not np.allclose(y, x, rtol=rtol, atol=atol, equal_nan=True):
            problems.append(
                Problem(
                    "outputs",
                    f"{label}: differ by up to {float(difference[worst]):.3g} "
                    f"(at flat index {worst}: {float(y[worst])!r} new, {float(x[worst])!r} old; "
                    f"atol {atol:g}, rtol {rtol:g})",
                )
            )
    return problems, largest


def compare_outputs(old: dict, new: dict, rtol: float, atol: float):
    """Outputs of every call after the same known values were assigned by key, and with
    the initial values when every initial value is a constant on both sides.

    Returns (problems, largest difference, why outputs could not be compared or None).
    """
    problems: list[Problem] = []
    largest = None
    calls = len(old["outputs"])
    if len(new["outputs"]) < calls:
        return [Problem("outputs", f"{len(new['outputs'])} call(s) in the new code, {calls} in the old")], None, None
    if calls < len(new["outputs"]) and not old.get("reuse_failed"):
        return [Problem("outputs", f"{len(new['outputs'])} call(s) in the new code, {calls} in the old")], None, None
    constant = all(v.get("deterministic") for v in old["variables"].values()) and all(
        v.get("deterministic") for v in new["variables"].values()
    )
    recreated = sorted(set(old.get("recreated_by_call", [])) | set(new.get("recreated_by_call", [])))
    compared = False
    for call in range(calls):
        where = f"call {call + 1}"
        if constant:
            found, difference = compare_output_lists(
                f"{where} (initial values)", old["first_outputs"][call], new["first_outputs"][call], rtol, atol
            )
            problems += found
            largest = _max(largest, difference)
            compared = True
        if not recreated:
            found, difference = compare_output_lists(
                f"{where}", old["outputs"][call], new["outputs"][call], rtol, atol
            )
            problems += found
            largest = _max(largest, difference)
            compared = True
    incomplete = None
    if not compared:
        incomplete = (
            f"outputs cannot be compared: random initial values, and the old code makes "
            f"{_names(recreated)} anew on every call"
        )
    return problems, largest, incomplete


def _max(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


# Initial values ----------------------------------------------------------------------


def compare_initial_value(key: str, a: dict, b: dict, sigmas: float = SIGMAS) -> list[Problem]:
    """One variable's initial values: constants exactly, random ones in distribution."""
    if a.get("deterministic"):
        if not b.get("deterministic"):
            return [Problem("initializers", f"{key}: a constant in the old code, random in the new")]
        x, y = np.asarray(a["initial"]), np.asarray(b["initial"])
        if x.shape != y.shape or not np.array_equal(x, y):
            return [Problem("initializers", f"{key}: initial value {_preview(y)} in the new code, {_preview(x)} in the old")]
        return []
    if b.get("deterministic"):
        return [Problem("initializers", f"{key}: random in the old code, a constant in the new")]
    p, q = a["pooled"], b["pooled"]
    if not p["n"] or not q["n"]:
        return []
    se_mean = math.sqrt(p["std"] ** 2 / p["n"] + q["std"] ** 2 / q["n"])
    se_std = math.sqrt(p["std"] ** 2 / (2 * p["n"]) + q["std"] ** 2 / (2 * q["n"]))
    problems = []
    for field, se in (("mean", se_mean), ("std", se_std)):
        difference = abs(p[field] - q[field])
        if difference > sigmas * se + 1e-12:
            problems.append(
                Problem(
                    "initializers",
                    f"{key}: initial {field} {q[field]:.4g} in the new code, {p[field]:.4g} in the old "
                    f"(difference {difference:.3g} > {sigmas:g} standard errors = {sigmas * se:.3g}; "
                    f"{p['n']} and {q['n']} values)",
                )
            )
    return problems


def compare_initializers(old: dict, new: dict, sigmas: float = SIGMAS) -> tuple[list[Problem], str]:
    problems = []
    common = sorted(set(old["variables"]) & set(new["variables"]))
    for key in common:
        problems += compare_initial_value(key, old["variables"][key], new["variables"][key], sigmas)
    status = "-" if not common else ("FAIL" if problems else "ok")
    return problems, status


# Regularization and constraints -------------------------------------------------------


def compare_regularization(old: dict, new: dict, rtol: float, atol: float) -> list[Problem]:
    a, b = old["regularization"], new["regularization"]
    problems = []
    if a["count"] != b["count"]:
        problems.append(
            Problem("regularization", f"{b['count']} regularization loss(es) in the new code, {a['count']} in the old")
        )
    if not np.isclose(b["sum"], a["sum"], rtol=max(rtol, 1e-5), atol=atol):
        ratio = f" (ratio {b['sum'] / a['sum']:.4g})" if a["sum"] else ""
        problems.append(
            Problem(
                "regularization",
                f"the losses sum to {b['sum']:.6g} in the new code, {a['sum']:.6g} in the old{ratio}",
            )
        )
    return problems


def compare_constraints(old: dict, new: dict, rtol: float, atol: float) -> list[Problem]:
    a, b = old.get("constraints", {}), new.get("constraints", {})
    problems = []
    for key in sorted(set(a) - set(b)):
        problems.append(Problem("constraints", f"{key} has a constraint in the old code and none in the new"))
    for key in sorted(set(b) - set(a)):
        problems.append(Problem("constraints", f"{key} has a constraint in the new code and none in the old"))
    for key in sorted(set(a) & set(b)):
        x, y = np.asarray(a[key]), np.asarray(b[key])
        if x.shape != y.shape or not np.allclose(y, x, rtol=rtol, atol=atol):
            problems.append(Problem("constraints", f"{key}: the constraint gives other values"))
    return problems


# One row -------------------------------------------------------------------------------


def compare_records(old: dict, new: dict, kind: str, *, rtol: float = RTOL, atol: float = ATOL,
                    sigmas: float = SIGMAS) -> Comparison:
    result = Comparison(old_count=len(old["variables"]), new_count=len(new["variables"]))
    problems, mismatches = compare_variables(old, new, kind)
    result.problems += problems
    if kind == "layer-class":
        result.problems += compare_tracking(old, new)
    sharing = compare_sharing(old, new, kind)
    result.problems += sharing
    # weights, counting each holder of a key held twice
    result.new_count = new.get("weight_count", result.new_count)
    result.mismatches = mismatches + (result.new_count - len(new["variables"]))
    outputs, largest, incomplete = compare_outputs(old, new, rtol, atol)
    result.problems += outputs
    result.max_difference = largest
    result.incomplete = incomplete
    initial, status = compare_initializers(old, new, sigmas)
    result.problems += initial
    result.initializers = status
    result.problems += compare_regularization(old, new, rtol, atol)
    result.problems += compare_constraints(old, new, rtol, atol)
    return result


def _preview(array: np.ndarray, limit: int = 4) -> str:
    flat = array.ravel()
    text = ", ".join(f"{x:.4g}" for x in flat[:limit])
    return f"[{text}{', ...' if flat.size > limit else ''}]"


__all__ = [
    "ATOL",
    "CATEGORIES",
    "Comparison",
    "Problem",
    "RTOL",
    "SIGMAS",
    "compare_constraints",
    "compare_initial_value",
    "compare_initializers",
    "compare_output_lists",
    "compare_outputs",
    "compare_records",
    "compare_regularization",
    "compare_sharing",
    "compare_tracking",
    "compare_variables",
]
