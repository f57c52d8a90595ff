"""Comparisons of what the Keras 2 side and the Keras 3 side recorded. No TensorFlow.

Each function takes the per-layer records written by ``common.run_layer`` (``k2`` from
before.py under Keras 2, ``k3`` from after.py under Keras 3) and returns a list of
problems, one readable sentence each; an empty list means the check passed. The tests
call them on the golden cases (expecting no problem) and on deliberately broken
after.py files (expecting problems), so a check that cannot fail is noticed.
"""

from __future__ import annotations

import math

import numpy as np

#: Output tolerance of the TF migration guide's numerical-equivalence recipe.
RTOL = 1e-6
ATOL = 1e-5
#: Random initial values agree when mean and std differ by at most this many
#: standard errors (of the difference of two independent samples).
SIGMAS = 5.0


def pair_layers(k2_case: dict, k3_case: dict) -> tuple[list[tuple[dict, dict]], list[str]]:
    """Match the layers of one case on both sides; problems if a side failed."""
    problems = []
    if k2_case is None or k3_case is None:
        missing = "Keras 2" if k2_case is None else "Keras 3"
        return [], [f"the {missing} side has no result for this case"]
    if k2_case.get("error"):
        problems.append("before.py failed under Keras 2:\n" + k2_case["error"])
    if k3_case.get("error"):
        problems.append("after.py failed under Keras 3:\n" + k3_case["error"])
    if problems:
        return [], problems
    k2_layers, k3_layers = k2_case["layers"], k3_case["layers"]
    if [l["class"] for l in k2_layers] != [l["class"] for l in k3_layers]:
        return [], [
            f"layers differ: Keras 2 ran {[l['class'] for l in k2_layers]}, "
            f"Keras 3 ran {[l['class'] for l in k3_layers]}"
        ]
    return list(zip(k2_layers, k3_layers)), []


def compare_variables(k2: dict, k3: dict) -> list[str]:
    """Same variable attributes, with equal shapes, dtypes and trainable flags."""
    problems = []
    cls = k2["class"]
    only2 = sorted(set(k2["variables"]) - set(k3["variables"]))
    only3 = sorted(set(k3["variables"]) - set(k2["variables"]))
    if only2:
        problems.append(f"{cls}: variable attribute(s) {only2} exist under Keras 2 but not in after.py")
    if only3:
        problems.append(f"{cls}: after.py has variable attribute(s) {only3} that before.py has not")
    for attr in sorted(set(k2["variables"]) & set(k3["variables"])):
        v2, v3 = k2["variables"][attr], k3["variables"][attr]
        for key in ("shape", "dtype", "trainable"):
            if v2[key] != v3[key]:
                problems.append(f"{cls}.{attr}: {key} {v2[key]!r} under Keras 2, {v3[key]!r} after")
    return problems


def compare_tracking(k2: dict, k3: dict) -> list[str]:
    """Every Keras 3 weight is tracked, and the layer counts what the Keras 2 layer did.

    A weight that Keras 2 tracked but that no attribute holds and no output depends on
    (a stale copy left by a sublayer built twice) is not counted; one that the outputs
    depend on is a problem.
    """
    problems = []
    cls = k2["class"]
    for side, record in (("Keras 2", k2), ("Keras 3", k3)):
        for weight in record.get("unreachable", []):
            if not weight["dead"]:
                problems.append(
                    f"{cls}: {side} tracks {weight['name']}, which no attribute holds "
                    "and the outputs depend on"
                )
    for key, label, trainable in (
        ("trainable_count", "trainable", True),
        ("non_trainable_count", "non-trainable", False),
    ):
        counts = []
        for record in (k2, k3):
            stale = [
                w for w in record.get("unreachable", []) if w["dead"] and w["trainable"] == trainable
            ]
            counts.append(record[key] - len(stale))
        if counts[0] != counts[1]:
            problems.append(
                f"{cls}: {counts[1]} {label} weight(s) under Keras 3, {counts[0]} under Keras 2"
                " (not counting stale copies no output depends on)"
            )
    for attr, entry in sorted(k3["variables"].items()):
        if not entry["tracked"]:
            problems.append(f"{cls}.{attr} is not in the Keras 3 layer's weights")
    for attr, entry in sorted(k2["variables"].items()):
        if not entry["tracked"]:
            problems.append(
                f"{cls}.{attr} is not tracked under Keras 2 either: the case does not show the bug"
            )
    return problems


def check_paths(k3: dict, k2: dict | None = None) -> list[str]:
    """Each Keras 3 weight's path starts with the layer's name (``<layer>/...``), unless
    the Keras 2 name of the same variable did not either (a sublayer built in
    ``__init__`` names its weights outside the layer's scope on both)."""
    problems = []
    prefix = k3["layer_name"] + "/"
    for attr, entry in sorted(k3["variables"].items()):
        path = entry.get("path", "")
        old = (k2 or {}).get("variables", {}).get(attr)
        if old is not None and not old["name"].startswith(k2["layer_name"] + "/"):
            continue
        if not path.startswith(prefix):
            problems.append(f"{k3['class']}.{attr}: path {path!r} does not start with {prefix!r}")
    return problems


def compare_initial_values(k2: dict, k3: dict, sigmas: float = SIGMAS) -> list[str]:
    """Constants equal exactly; random values agree in mean and standard deviation."""
    problems = []
    cls = k2["class"]
    for attr in sorted(set(k2["variables"]) & set(k3["variables"])):
        problems += compare_initial_value(
            f"{cls}.{attr}", k2["variables"][attr], k3["variables"][attr], sigmas
        )
    return problems


def compare_initial_value(
    where: str, v2: dict, v3: dict, sigmas: float = SIGMAS, old: str = "Keras 2"
) -> list[str]:
    """One variable's initial value on the old side (``v2``) and after the rewrite (``v3``).

    Both records carry ``deterministic`` (the value did not change with the seed), the
    value itself as ``initial`` (needed when deterministic) and ``pooled`` statistics
    (``n``, ``mean``, ``std``) over the values drawn with several seeds.
    """
    if v2["deterministic"]:
        if not v3["deterministic"]:
            return [f"{where}: constant under {old} but random after the rewrite"]
        a2, a3 = np.asarray(v2["initial"]), np.asarray(v3["initial"])
        if a2.shape != a3.shape or not np.array_equal(a2, a3):
            return [f"{where}: initial value differs: {old} {_preview(a2)}, Keras 3 {_preview(a3)}"]
        return []
    if v3["deterministic"]:
        return [f"{where}: random under {old} but constant after the rewrite"]
    problems = []
    p2, p3 = v2["pooled"], v3["pooled"]
    se_mean = math.sqrt(p2["std"] ** 2 / p2["n"] + p3["std"] ** 2 / p3["n"])
    se_std = math.sqrt(p2["std"] ** 2 / (2 * p2["n"]) + p3["std"] ** 2 / (2 * p3["n"]))
    for key, se in (("mean", se_mean), ("std", se_std)):
        difference = abs(p2[key] - p3[key])
        if difference > sigmas * se + 1e-12:
            problems.append(
                f"{where}: initial {key} {p3[key]:.4g} after the rewrite, {p2[key]:.4g} under "
                f"{old} (difference {difference:.3g} > {sigmas:g} standard errors = "
                f"{sigmas * se:.3g}; {p2['n']} and {p3['n']} values)"
            )
    return problems


def compare_outputs(k2: dict, k3: dict, rtol: float = RTOL, atol: float = ATOL) -> list[str]:
    """Outputs agree: after the same known values were assigned by attribute name, and
    on the first call when every initial value is a constant; so do the regularization
    losses.

    A Keras 2 layer that makes a new variable on every call (``tf.Variable`` in ``call``)
    throws the assigned values away, so only its first call can be compared.
    """
    problems = []
    cls = k2["class"]
    constant = all(v["deterministic"] for v in k2["variables"].values()) and all(
        v["deterministic"] for v in k3["variables"].values()
    )
    recreated = sorted(set(k2["recreated_by_call"]) | set(k3["recreated_by_call"]))
    compared = 0
    if constant:
        problems += compare_output_lists(f"{cls} first call", k2["first_outputs"], k3["first_outputs"], rtol, atol)
        compared += 1
    if not recreated:
        problems += compare_output_lists(f"{cls} after assigning known values", k2["outputs"], k3["outputs"], rtol, atol)
        compared += 1
    if "losses" in k2 and "losses" in k3 and not recreated:
        problems += compare_losses(cls, k2["losses"], k3["losses"], rtol, atol)
    if not compared:
        problems.append(
            f"{cls}: outputs cannot be compared: random initial values and variable(s) "
            f"{recreated} re-created on every call; give the case constant initial values"
        )
    return problems


def compare_losses(cls: str, losses2: list, losses3: list, rtol=RTOL, atol=ATOL) -> list[str]:
    """The layer's regularization losses: as many, with the same sum."""
    if len(losses2) != len(losses3):
        return [f"{cls}: {len(losses3)} regularization loss(es) after, {len(losses2)} under Keras 2"]
    if not np.isclose(sum(losses3), sum(losses2), rtol=rtol, atol=atol):
        return [f"{cls}: regularization losses sum to {sum(losses3)!r} after, {sum(losses2)!r} under Keras 2"]
    return []


def check_expected_failure(record: dict, where: str) -> list[str]:
    """A layer that the case says cannot run (``keras2_before`` / ``keras3_before``)
    failed, with the exception class the case names."""
    expected = record["expected_failure"]
    if record.get("failure") is None:
        return [f"{record['class']}: {where} was expected to raise {expected} but ran"]
    if record["failure"] != expected:
        return [
            f"{record['class']}: {where} raised {record['failure']}, the case expects "
            f"{expected}: {record.get('failure_message', '')[:500]}"
        ]
    return []


def check_created_once(k3: dict, rtol: float = RTOL, atol: float = ATOL) -> list[str]:
    """after.py creates its variables once: calling the layer again keeps every variable
    and weight, adds none, and gives the same outputs (unless the call updated the
    layer's own variables, as a step counter does)."""
    problems = []
    cls = k3["class"]
    if k3["recreated_by_call"]:
        problems.append(f"{cls}: calling again replaced variable(s) {k3['recreated_by_call']}")
    if k3["created_by_call"]:
        problems.append(f"{cls}: calling again created variable(s) {k3['created_by_call']}")
    if not k3["weights_stable"]:
        problems.append(f"{cls}: calling again changed the layer's weights")
    if not k3["state_changed_by_call"]:
        problems += compare_output_lists(
            f"{cls} second call with the same values", k3["outputs"], k3["repeat_outputs"],
            rtol, atol, old="the first call",
        )
    return problems


def check_intended(k3: dict) -> list[str]:
    """The old code never ran (a Lambda creating variables, a ``tf.Module`` calling
    ``add_weight``): after.py is checked against the intended model alone. Every
    variable is tracked, created once, and the outputs of two calls are identical."""
    problems = []
    cls = k3["class"]
    if not k3["variables"]:
        problems.append(f"{cls}: after.py holds no variable")
    for attr, entry in sorted(k3["variables"].items()):
        if not entry["tracked"]:
            problems.append(f"{cls}.{attr} is not in the Keras 3 layer's weights")
    counted = k3["trainable_count"] + k3["non_trainable_count"]
    if counted != len(k3["variables"]):
        problems.append(
            f"{cls}: {counted} weight(s) tracked, {len(k3['variables'])} variable(s) held"
        )
    return problems + check_created_once(k3)


def check_before_untracked(layer: dict) -> list[str]:
    """before.py under Keras 3 has raw tf.Variable attributes and tracks none of them;
    or, when the case names the error, it fails with that error."""
    if "expected_failure" in layer:
        return check_expected_failure(layer, "before.py under Keras 3")
    if layer.get("recreated_expected"):
        problems = []
        if not layer["created_per_call"] or layer["created_per_call"][-1] == 0:
            problems.append(
                f"{layer['class']}: before.py under Keras 3 creates no variable on a second "
                "call: the case does not show the bug"
            )
        if layer["tracked_created"]:
            problems.append(
                f"{layer['class']}: Keras 3 tracks {layer['tracked_created']} of the "
                f"{layer['created']} variables before.py creates again on a later call "
                "(the rule assumes none)"
            )
        return problems
    if layer.get("untrainable_expected"):
        if not layer["untrainable"]:
            return [
                f"{layer['class']}: before.py under Keras 3 has no non-trainable weight: "
                "the case does not show the bug"
            ]
        return []
    problems = []
    if not layer["raw_variables"]:
        problems.append(
            f"{layer['class']}: before.py under Keras 3 has no raw tf.Variable attribute: "
            "the case does not show the bug"
        )
    if layer["tracked_raw"]:
        problems.append(
            f"{layer['class']}: Keras 3 tracks raw tf.Variable attribute(s) {layer['tracked_raw']}"
            " of before.py (the rule assumes it tracks none)"
        )
    return problems


def compare_output_lists(where, out2, out3, rtol=RTOL, atol=ATOL, old="Keras 2") -> list[str]:
    """Two flat output lists (``common.flatten_outputs``): count, dtype, shape, values."""
    if len(out2) != len(out3):
        return [f"{where}: {len(out3)} output(s) after the rewrite, {len(out2)} under {old}"]
    problems = []
    for index, (o2, o3) in enumerate(zip(out2, out3)):
        label = where if len(out2) == 1 else f"{where}, output {index}"
        if o2["shape"] != o3["shape"] or o2["dtype"] != o3["dtype"]:
            problems.append(
                f"{label}: {o3['dtype']}{o3['shape']} after the rewrite, "
                f"{o2['dtype']}{o2['shape']} under {old}"
            )
            continue
        a2, a3 = np.asarray(o2["values"]), np.asarray(o3["values"])
        if not np.allclose(a3, a2, rtol=rtol, atol=atol):
            worst = int(np.argmax(np.abs(a3 - a2)))
            problems.append(
                f"{label}: outputs differ (rtol {rtol:g}, atol {atol:g}); largest difference "
                f"at flat index {worst}: {float(a3[worst])!r} after vs {float(a2[worst])!r} under {old}"
            )
    return problems


def _preview(array: np.ndarray, limit: int = 6) -> str:
    flat = array.ravel()
    text = ", ".join(f"{x:.6g}" for x in flat[:limit])
    return f"[{text}{', ...' if flat.size > limit else ''}] ({flat.size} values)"
