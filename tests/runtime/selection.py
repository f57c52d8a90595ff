"""What the two sides of the MTF205 runtime check share. Imports no TensorFlow.

MTF205 cases replace TF1 variable-collection queries (`get_collection(...,
scope=...)`, `trainable_variables(scope=...)`) by a layer's own lists. Their
case.toml has ``[[selection]]`` tables naming a function of the case that builds the
layers and returns the selected variables:

* ``selection_tf1_side.py`` calls the function of before.py in a TF1 graph (graph
  mode, tf_keras), where collections work: the intended result;
* ``selection_keras3_side.py`` calls the function of after.py eagerly under Keras 3,
  and that of before.py too (which gets ``[]``: the bug).

Each side records, per table, the selected variables as ``{name, shape, trainable}``
with the TF1 name without ``:0`` on the TF1 side and the Keras 3 ``path`` on the
other; :func:`compare_selection` compares them.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _sibling(name: str):
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


common = _sibling("common")

SELECTION_KEYS = {"function"}


def read_selections(toml_path: Path) -> list[dict]:
    """The ``[[selection]]`` tables of a case.toml, checked (unknown keys are errors)."""
    data = tomllib.loads(Path(toml_path).read_text(encoding="utf-8"))
    unknown = sorted(set(data) - {"selection"})
    if unknown:
        raise ValueError(f"{toml_path}: unknown top-level key(s): {', '.join(unknown)}")
    tables = data.get("selection")
    if not isinstance(tables, list) or not tables:
        raise ValueError(f"{toml_path}: needs at least one [[selection]] table")
    for index, table in enumerate(tables):
        extra = sorted(set(table) - SELECTION_KEYS)
        if extra or not isinstance(table.get("function"), str):
            raise ValueError(f"{toml_path}: [[selection]] #{index + 1} needs only `function`")
    return tables


def manifest(side: str) -> list[dict]:
    """Every runnable MTF205 case: before.py (TF1 side), after.py and before.py (Keras 3)."""
    entries = []
    for case in common.discover_cases(kind="selection"):
        if case.runnable:
            entries.append(
                {"id": case.id, "module": str(case.after), "before": str(case.before), "toml": str(case.toml)}
            )
    return entries


def run_cases(side: str, manifest_entries: list[dict], describe, modules: tuple[str, ...]) -> dict:
    """Call each table's function of the entry's ``modules`` ("module", "before") and
    describe what it returns; errors are recorded per case."""
    results = {}
    for entry in manifest_entries:
        result: dict = {"error": None}
        try:
            tables = read_selections(Path(entry["toml"]))
            for key in modules:
                module = common.load_module(Path(entry[key]), common.module_name(side, entry["id"], key))
                result[key] = [describe(getattr(module, t["function"])) for t in tables]
        except Exception:  # noqa: BLE001 - reported to the test
            result["error"] = traceback.format_exc()
        results[entry["id"]] = result
    return results


def compare_selection(old: list[dict], new: list[dict]) -> list[str]:
    """The same variables (by name), with the same shapes and trainable flags."""
    problems = []
    if not old:
        problems.append("the TF1 code selects no variable: the case shows nothing")
    old_by_name = {v["name"]: v for v in old}
    new_by_name = {v["name"]: v for v in new}
    if len(old_by_name) != len(old) or len(new_by_name) != len(new):
        problems.append("a variable is selected twice")
    missing = sorted(set(old_by_name) - set(new_by_name))
    extra = sorted(set(new_by_name) - set(old_by_name))
    if missing:
        problems.append(f"selected by the TF1 code but not after the rewrite: {missing}")
    if extra:
        problems.append(f"selected after the rewrite but not by the TF1 code: {extra}")
    for name in sorted(set(old_by_name) & set(new_by_name)):
        for key in ("shape", "trainable"):
            if old_by_name[name][key] != new_by_name[name][key]:
                problems.append(
                    f"{name}: {key} {old_by_name[name][key]!r} in TF1, {new_by_name[name][key]!r} after"
                )
    return problems
