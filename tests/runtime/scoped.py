"""What the two sides of the MTF1xx runtime check share. Imports no TensorFlow.

MTF1xx cases turn TF1 *functions* (``tf.variable_scope`` + ``tf.get_variable``,
``tf.layers.*``) into Keras 3 *layers*. Their case.toml has ``[[function]]`` tables:

* ``tf1_side.py`` calls the function of before.py in a TF1 graph (``tf.compat.v1``,
  graph mode) and records every global variable by its TF1 name without ``:0``;
* ``keras3_layers_side.py`` builds the layer of after.py and calls it, and records
  every weight by its ``path``, which must equal that TF1 name.

Both sides write one record per ``[[function]]`` table in the same format (see
:func:`empty_record`), so ``compare_scoped.py`` can compare them name by name.
"""

from __future__ import annotations

import importlib.util
import math
import re
import sys
import time
import traceback
from pathlib import Path

import numpy as np

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


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


common = _sibling("common")

#: Keys of a ``[[function]]`` table.
FUNCTION_KEYS = {"name", "layer", "args", "inputs", "calls", "reuse_scope"}
#: Function parameters that say "training mode"; both sides pass False (inference).
TRAINING_FLAGS = ("training", "is_training")
#: Random initial values: draws with further seeds until each random variable has
#: this many values; the TF1 side re-runs the initializers (cheap), the Keras 3 side
#: builds the layer again (about 15 ms per sublayer), so it stops earlier.
POOL_TARGET = 2048
MAX_DRAWS = {"tf1": 128, "keras3_layers": 12}


def read_functions(toml_path: Path) -> list[dict]:
    """The ``[[function]]`` tables of a case.toml, checked, with defaults filled in."""
    data = tomllib.loads(Path(toml_path).read_text(encoding="utf-8"))
    unknown_top = sorted(set(data) - {"function"})
    if unknown_top:
        raise ValueError(f"{toml_path}: unknown top-level key(s): {', '.join(unknown_top)}")
    tables = data.get("function")
    if not isinstance(tables, list) or not tables:
        raise ValueError(f"{toml_path}: needs at least one [[function]] table")
    checked = []
    for index, table in enumerate(tables):
        where = f"{toml_path}: [[function]] #{index + 1}"
        unknown = sorted(set(table) - FUNCTION_KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown key(s): {', '.join(unknown)}")
        for key in ("name", "layer"):
            if not isinstance(table.get(key), str) or not table[key].isidentifier():
                raise ValueError(f"{where}: {key!r} must be a Python name")
        args = table.get("args", {})
        if not isinstance(args, dict):
            raise ValueError(f"{where}: 'args' must be a table of keyword arguments")
        inputs = table.get("inputs")
        if not isinstance(inputs, dict) or not inputs:
            raise ValueError(f"{where}: 'inputs' must be a table like {{ x = \"float32[2, 4]\" }}")
        for spec in inputs.values():
            common.parse_input_spec(spec)
        overlap = sorted(set(args) & set(inputs))
        if overlap:
            raise ValueError(f"{where}: {overlap} both in 'args' and in 'inputs'")
        calls = table.get("calls", 1)
        if not isinstance(calls, int) or isinstance(calls, bool) or calls < 1:
            raise ValueError(f"{where}: 'calls' must be a positive integer")
        reuse_scope = table.get("reuse_scope", False)
        if not isinstance(reuse_scope, bool):
            raise ValueError(f"{where}: 'reuse_scope' must be true or false")
        checked.append(
            {
                "name": table["name"],
                "layer": table["layer"],
                "args": args,
                "inputs": inputs,
                "calls": calls,
                "reuse_scope": reuse_scope,
            }
        )
    return checked


def call_inputs(spec: dict, call: int) -> dict[str, np.ndarray]:
    """The tensor arguments of call number ``call`` (0, 1, ...), by name.

    Call ``k`` draws its values from ``RandomState(k)`` (``common.make_inputs``), so a
    layer shared by two calls sees two different inputs.
    """
    names = list(spec["inputs"])
    arrays = common.make_inputs([spec["inputs"][name] for name in names], seed=call)
    return dict(zip(names, arrays))


def layer_arguments(spec: dict) -> tuple[dict, dict]:
    """The function's ``args`` as (constructor keywords, call keywords) of the layer.

    ``scope`` becomes ``name``; ``reuse`` disappears; ``training`` / ``is_training``
    go to the call (see :func:`call_flags`).
    """
    init, flags = {}, {}
    for key, value in spec["args"].items():
        if key == "reuse":
            continue
        if key in TRAINING_FLAGS:
            flags[key] = value
            continue
        init["name" if key == "scope" else key] = value
    return init, flags


def function_flags(parameters, args: dict) -> dict:
    """Training flags for the TF1 function: False for each flag parameter not in args."""
    return {flag: False for flag in TRAINING_FLAGS if flag in parameters and flag not in args}


def call_flags(parameters, flags_from_args: dict) -> dict:
    """Training flags for the layer's ``call``: ``training`` (and ``is_training``) when
    ``call`` takes it, False (inference) unless the case's args say otherwise."""
    value = False
    for flag in TRAINING_FLAGS:
        if flag in flags_from_args:
            value = flags_from_args[flag]
    return {flag: value for flag in TRAINING_FLAGS if flag in parameters}


def known_value(path: str, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """The value assigned to the variable ``path`` (TF1 name without ``:0``) on both sides.

    ``common.known_value`` of the full path, made positive for variances (batch
    normalization divides by ``sqrt(moving_variance + epsilon)``).
    """
    value = common.known_value(path, shape, dtype)
    if re.search(r"variance|(^|_)var$", path.rsplit("/", 1)[-1]) and value.dtype.kind == "f":
        value = (np.abs(value) + 0.25).astype(value.dtype)
    return value


def draws_needed(side: str, random_sizes: list[int]) -> int:
    """How many initial values (seeds) to draw so the smallest random variable gets
    :data:`POOL_TARGET` values, within the side's limit; at least 2."""
    if not random_sizes:
        return 2
    smallest = max(1, min(random_sizes))
    return min(MAX_DRAWS[side], max(2, math.ceil(POOL_TARGET / smallest)))


def member(module, name: str, what: str):
    """``module.name``, or an error that says which file lacks which function or class."""
    try:
        return getattr(module, name)
    except AttributeError:
        raise LookupError(
            f"{Path(module.__file__).name} has no {what} {name!r} (case.toml names it)"
        ) from None


def empty_record(spec: dict) -> dict:
    """One function's record; both sides fill in the same keys.

    * ``variables``: path -> ``{shape, dtype, trainable, deterministic, initial,
      pooled}`` (``initial`` only for constants; ``pooled`` = ``common.value_stats``);
    * ``duplicates``: paths held by more than one variable (Keras 3 allows that);
    * ``per_call``: the sorted variable paths after each call (sharing: no growth);
    * ``same_objects``: the later calls used the very variables of the first one;
    * ``first_outputs`` / ``outputs``: per call, the flat outputs with the initial values
      and after assigning :func:`known_value` to every variable;
    * ``regularization``: ``{count, sum}`` of the regularization losses, after assigning;
    * ``constraints``: path -> the variable's constraint applied to its known value.
    """
    return {
        "function": spec["name"],
        "layer": spec["layer"],
        "calls": spec["calls"],
        "variables": {},
        "duplicates": [],
        "per_call": [],
        "same_objects": True,
        "first_outputs": [],
        "outputs": [],
        "regularization": {"count": 0, "sum": 0.0},
        "constraints": {},
    }


def describe_initial(record: dict, path: str, draws: list[np.ndarray]) -> None:
    """Fill ``deterministic``, ``initial`` and ``pooled`` of one variable from its
    values under successive seeds (``draws[0]`` is the value of the recorded build)."""
    entry = record["variables"][path]
    first = draws[0]
    deterministic = all(d.shape == first.shape and np.array_equal(d, first) for d in draws[1:2])
    entry["deterministic"] = bool(deterministic)
    if deterministic:
        entry["initial"] = first.astype(np.float64).ravel().tolist()
        entry["pooled"] = common.value_stats(first)
    else:
        entry["pooled"] = common.value_stats(np.concatenate([d.ravel() for d in draws]))


def manifest(side: str) -> list[dict]:
    """Every runnable MTF1xx case: before.py for the TF1 side, after.py for Keras 3."""
    entries = []
    for case in common.discover_cases(kind="function"):
        if not case.runnable:
            continue
        module = case.before if side == "tf1" else case.after
        entries.append({"id": case.id, "module": str(module), "toml": str(case.toml)})
    return entries


def run_cases(side: str, run_function, manifest_entries: list[dict], load) -> dict:
    """Run ``run_function(module, spec)`` for every ``[[function]]`` of every case.

    ``load(path, unique_name)`` imports the case's module (the TF1 side binds
    ``tensorflow`` to ``tensorflow.compat.v1`` while it does). An error in one case is
    recorded as that case's ``error`` and does not stop the others.
    """
    results = {}
    for entry in manifest_entries:
        case_id = entry["id"]
        started = time.monotonic()
        result: dict = {"functions": [], "error": None}
        try:
            specs = read_functions(Path(entry["toml"]))
            module = load(Path(entry["module"]), common.module_name(side, case_id, "main"))
            for spec in specs:
                result["functions"].append(run_function(module, spec))
        except Exception:  # noqa: BLE001 - reported to the test, which fails on it
            result["error"] = traceback.format_exc()
        result["seconds"] = round(time.monotonic() - started, 3)
        results[case_id] = result
    return results
