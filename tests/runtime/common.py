"""What both sides of the golden runtime check share. Imports no TensorFlow.

The Keras 2 side (``keras2_side.py``) and the Keras 3 side (``keras3_side.py``) run in
separate processes, because the Keras version is fixed per process when TensorFlow is
imported. Each side plugs a small *backend* (how to recognise, describe, read and
assign a variable, how to seed) into :func:`run_layer`, so both build, call and record
layers in exactly the same way.

Cases of the MTF1xx rules (TF1 functions that become layers) describe *functions* in
their case.toml instead of layers and are run by ``tf1_side.py`` and
``keras3_layers_side.py`` (see ``scoped.py``); :func:`discover_cases` tells the two
kinds apart with ``kind=``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import re
import sys
import traceback
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "golden"

#: Random variables are sampled over repeated builds until each has this many values.
POOL_TARGET = 2048
#: ... but never with more builds than this (a 2x2 variable gets 4 * 128 = 512 values).
MAX_BUILDS = 128
CASE_KEYS = {"class", "init", "inputs", "keras2_before", "keras3_before"}
#: Optional keys: the exception class that before.py raises when the layer is built and
#: called under Keras 2 (``keras2_before``: the old code never ran, so after.py is
#: checked against the intended model alone) or under Keras 3 (``keras3_before``: the
#: crash the rule fixes; ``"untrainable"`` there: before.py runs under Keras 3 but
#: its weights are not trainable; ``"recreated"``: it runs, creates new variables on
#: every call and tracks none of them). ``class`` may name a function of the case that
#: returns a layer or a model. Without ``keras3_before``, before.py must run under
#: Keras 3 and track none of its raw tf.Variables.
EXPECTED_FAILURE_KEYS = ("keras2_before", "keras3_before")
INPUT_SPEC = re.compile(r"^\s*([a-z]+[0-9]*)\s*\[\s*([0-9,\s]*)\]\s*$")


# Golden cases -----------------------------------------------------------------------


def case_kind(rule: str) -> str:
    """``"function"`` for the MTF1xx rules (case.toml has ``[[function]]`` tables: a
    TF1 function in before.py, a Keras 3 layer in after.py), ``"selection"`` for
    MTF205 (``[[selection]]`` tables: functions returning the variables a TF1
    collection query selected), ``"layer"`` for the others (``[[layer]]`` tables: the
    same layer class on both sides)."""
    if rule.startswith("MTF205"):
        return "selection"  # functions returning variable lists (see selection.py)
    return "function" if rule.startswith("MTF1") else "layer"


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    directory: Path

    @property
    def id(self) -> str:
        return f"{self.rule}/{self.name}"

    @property
    def kind(self) -> str:
        return case_kind(self.rule)

    @property
    def before(self) -> Path:
        return self.directory / "before.py"

    @property
    def after(self) -> Path:
        return self.directory / "after.py"

    @property
    def toml(self) -> Path:
        return self.directory / "case.toml"

    @property
    def changed(self) -> bool:
        """False for refusals and leave-alone cases: after.py is before.py, byte for byte."""
        return self.before.read_bytes() != self.after.read_bytes()

    @property
    def runnable(self) -> bool:
        return self.changed and self.toml.is_file()


def discover_cases(root: Path = GOLDEN, kind: str | None = None) -> list[Case]:
    """Every ``golden/<RULE>/<case>/`` directory that holds a before.py; only the rules
    of one :func:`case_kind` when ``kind`` is given."""
    cases = []
    for before in sorted(root.glob("*/*/before.py")):
        directory = before.parent
        case = Case(rule=directory.parent.name, name=directory.name, directory=directory)
        if kind is None or case.kind == kind:
            cases.append(case)
    return cases


def read_layers(toml_path: Path) -> list[dict]:
    """The ``[[layer]]`` tables of a case.toml, checked (unknown keys are errors)."""
    data = tomllib.loads(Path(toml_path).read_text(encoding="utf-8"))
    unknown_top = sorted(set(data) - {"layer"})
    if unknown_top:
        raise ValueError(f"{toml_path}: unknown top-level key(s): {', '.join(unknown_top)}")
    layers = data.get("layer")
    if not isinstance(layers, list) or not layers:
        raise ValueError(f"{toml_path}: needs at least one [[layer]] table")
    checked = []
    for index, layer in enumerate(layers):
        where = f"{toml_path}: [[layer]] #{index + 1}"
        unknown = sorted(set(layer) - CASE_KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown key(s): {', '.join(unknown)}")
        if not isinstance(layer.get("class"), str):
            raise ValueError(f"{where}: 'class' must be a string")
        init = layer.get("init", {})
        if not isinstance(init, dict):
            raise ValueError(f"{where}: 'init' must be a table of keyword arguments")
        inputs = layer.get("inputs")
        if not isinstance(inputs, list) or not inputs:
            raise ValueError(f"{where}: 'inputs' must be a non-empty list like [\"float32[2, 4]\"]")
        for spec in inputs:
            parse_input_spec(spec)
        entry = {"class": layer["class"], "init": init, "inputs": inputs}
        for key in EXPECTED_FAILURE_KEYS:
            if key in layer:
                if not isinstance(layer[key], str) or not layer[key].isidentifier():
                    raise ValueError(f"{where}: '{key}' must name an exception class, e.g. \"ValueError\"")
                entry[key] = layer[key]
        checked.append(entry)
    return checked


def parse_input_spec(spec: str) -> tuple[str, tuple[int, ...]]:
    """``"float32[2, 4]"`` -> ``("float32", (2, 4))``; ``"float32[]"`` is a scalar."""
    match = INPUT_SPEC.match(spec) if isinstance(spec, str) else None
    if not match:
        raise ValueError(f"input spec {spec!r} is not dtype[shape], e.g. \"float32[2, 4]\"")
    dtype = np.dtype(match.group(1)).name
    dims = tuple(int(d) for d in match.group(2).replace(" ", "").split(",") if d)
    return dtype, dims


def make_inputs(specs: list[str], seed: int = 0) -> list[np.ndarray]:
    """Fixed inputs: standard normal values from RandomState(seed), in order."""
    state = np.random.RandomState(seed)
    arrays = []
    for spec in specs:
        dtype, shape = parse_input_spec(spec)
        if np.issubdtype(np.dtype(dtype), np.integer):
            arrays.append(state.randint(0, 4, size=shape).astype(dtype))
        elif dtype == "bool":
            arrays.append(state.standard_normal(shape) > 0)
        else:
            arrays.append(state.standard_normal(shape).astype(dtype))
    return arrays


def known_value(attribute: str, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """The value assigned to variable attribute ``attribute`` on both sides.

    It depends only on the attribute name, the shape and the dtype, so the Keras 2
    and the Keras 3 layer receive the same numbers.
    """
    size = int(np.prod(shape, dtype=np.int64))
    phase = (zlib.crc32(attribute.encode("utf-8")) % 1000) / 100.0
    wave = np.sin(np.arange(size, dtype=np.float64) * 0.731 + phase)
    kind = np.dtype(dtype)
    if kind == np.bool_:
        value = wave > 0
    elif np.issubdtype(kind, np.integer):
        value = np.round(wave * 5.0)
    elif re.split(r"[./]", attribute)[-1].endswith("variance"):
        value = 0.5 * np.abs(wave) + 0.1  # a variance (batch normalization) is positive
    else:
        value = 0.5 * wave
    return np.asarray(value).astype(kind).reshape(shape)


def load_module(path: Path, unique_name: str):
    """Import a golden file from its path under a name no other case uses."""
    spec = importlib.util.spec_from_file_location(unique_name, str(path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique_name] = module
    spec.loader.exec_module(module)
    return module


def module_name(side: str, case_id: str, kind: str) -> str:
    return "golden_" + side + "_" + re.sub(r"\W", "_", case_id) + "_" + kind


# Running one layer --------------------------------------------------------------------


class Backend:
    """What a side must provide to :func:`run_layer`."""

    name = "?"

    def set_seed(self, seed: int) -> None: ...
    def is_variable(self, value: Any) -> bool: ...
    def describe(self, variable) -> dict: ...
    def to_numpy(self, value) -> np.ndarray: ...
    def assign(self, variable, value: np.ndarray) -> None: ...
    def tracked(self, layer) -> tuple[list, list]: ...
    def convert_input(self, array: np.ndarray): ...
    def is_container(self, value: Any) -> bool: ...
    def is_dead(self, layer, inputs: list, variable) -> bool:
        """Whether the layer's outputs do not depend on ``variable`` (no gradient)."""
        import tensorflow as tf

        target = variable if isinstance(variable, tf.Variable) else variable.value
        with tf.GradientTape() as tape:
            tape.watch(target)
            outputs = tf.nest.flatten(layer(*inputs))
            total = tf.add_n([tf.reduce_sum(tf.cast(o, tf.float32)) for o in outputs])
        return tape.gradient(total, target) is None

    def container_variables(self, container) -> list: ...
    def short_name(self, variable) -> str: ...

    #: Variable attributes the framework itself puts on layers and models (for example
    #: tf_keras models carry ``_train_counter``); they are not the case's variables.
    framework_attributes: frozenset = frozenset()


def variable_attributes(backend: Backend, layer, is_variable=None) -> dict[str, Any]:
    """Attribute path -> variable, for every variable ``layer`` holds in an attribute.

    A variable of the layer itself is keyed by its attribute name (``w``). Variables of
    the objects it holds in public attributes (sublayers, ``tf.Module``s, lists and
    dicts of them) are keyed by the path to them: ``inner.w`` for a class of the case
    itself (its attribute names are the same on both sides), ``dense/kernel`` (the
    variable's own name) for a framework layer such as ``Dense``, whose attribute
    names differ between Keras 2 and Keras 3.
    """
    is_variable = is_variable or backend.is_variable
    found: dict[str, Any] = {}
    case_module = type(layer).__module__
    seen: set[int] = set()

    def walk(obj, prefix: str) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        for name, value in sorted(vars(obj).items()):
            if name in backend.framework_attributes:
                continue
            if is_variable(value):
                found[prefix + _public_name(obj, name)] = value
                continue
            if name.startswith("_"):
                continue
            for key, item in _held_objects(name, value):
                if is_variable(item) and key != name:
                    found[prefix + key] = item  # a list of variables
                    continue
                if id(item) in seen or not backend.is_container(item):
                    continue
                if type(item).__module__ == case_module:
                    walk(item, f"{prefix}{key}.")
                else:
                    seen.add(id(item))
                    for variable in backend.container_variables(item):
                        if is_variable(variable):
                            found[f"{prefix}{key}/{backend.short_name(variable)}"] = variable

    if type(layer).__module__.split(".")[0] in ("keras", "tf_keras", "tensorflow"):
        # A model a factory function of the case built: its weights, in order.
        return {
            f"weights[{i}]": variable
            for i, variable in enumerate(backend.container_variables(layer))
            if is_variable(variable)
        }
    walk(layer, "")
    return found


def _public_name(obj, name: str) -> str:
    """``kernel`` for ``_kernel`` when the class exposes it as a property (Keras 3's
    Dense keeps its kernel in ``_kernel``; Keras 2's in ``kernel``)."""
    if name.startswith("_") and isinstance(getattr(type(obj), name[1:], None), property):
        return name[1:]
    return name


def _held_objects(name: str, value) -> list[tuple[str, Any]]:
    """``[(name, value)]``, or the elements of a list, tuple or dict as ``name[i]``."""
    if isinstance(value, (list, tuple)):
        return [(f"{name}[{i}]", item) for i, item in enumerate(value)]
    if isinstance(value, dict):
        return [(f"{name}[{key!r}]", item) for key, item in sorted(value.items(), key=str)]
    return [(name, value)]


def flatten_outputs(backend: Backend, value) -> list[dict]:
    """Outputs of a call as a flat list of {shape, dtype, values}."""
    if isinstance(value, dict):
        items = [value[key] for key in sorted(value)]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        array = np.asarray(backend.to_numpy(value))
        return [
            {
                "shape": list(array.shape),
                "dtype": array.dtype.name,
                "values": array.astype(np.float64).ravel().tolist(),
            }
        ]
    flat = []
    for item in items:
        flat.extend(flatten_outputs(backend, item))
    return flat


def value_stats(values: np.ndarray) -> dict:
    """Size, mean, std, min and max of an array's values (as float64)."""
    values = values.astype(np.float64).ravel()
    return {
        "n": int(values.size),
        "mean": float(values.mean()) if values.size else 0.0,
        "std": float(values.std()) if values.size else 0.0,
        "min": float(values.min()) if values.size else 0.0,
        "max": float(values.max()) if values.size else 0.0,
    }


def run_layer(backend: Backend, module, spec: dict, *, seed: int = 1) -> dict:
    """Build and call one layer of a case; record its variables and outputs.

    1. build with seed ``seed`` and call once (this creates every weight);
    2. record each variable attribute (shape, dtype, trainable, name/path, values);
    3. build again with other seeds to tell constant from random initial values, and
       pool the random ones until they have :data:`POOL_TARGET` values;
    4. assign :func:`known_value` to every variable of the first layer, call again,
       record the outputs, and note any attribute the call replaced by a new variable.
    """
    cls = getattr(module, spec["class"])
    inputs = [backend.convert_input(array) for array in make_inputs(spec["inputs"])]

    def build(build_seed: int):
        backend.set_seed(build_seed)
        layer = cls(**spec["init"])
        outputs = layer(*inputs)
        return layer, outputs

    layer, first_outputs = build(seed)
    found = variable_attributes(backend, layer)
    trainable, non_trainable = backend.tracked(layer)
    record: dict[str, Any] = {
        "class": spec["class"],
        "layer_name": layer.name,
        "trainable_count": len(trainable),
        "non_trainable_count": len(non_trainable),
        "first_outputs": flatten_outputs(backend, first_outputs),
        "variables": {},
    }
    # Weights the layer tracks but holds in no attribute: Keras 2 lists a stale copy
    # when a sublayer was built twice (once by hand in `build`, once on its call).
    held = [var for var in found.values()]
    record["unreachable"] = [
        {
            "name": backend.describe(weight)["name"],
            "trainable": any(weight is w for w in trainable),
            "dead": backend.is_dead(layer, inputs, weight),
        }
        for weight in trainable + non_trainable
        if not any(weight is var for var in held)
    ]
    initial = {attr: np.asarray(backend.to_numpy(var)) for attr, var in found.items()}
    for attr, var in found.items():
        entry = backend.describe(var)
        entry["tracked"] = any(w is var for w in trainable + non_trainable)
        entry["initial"] = initial[attr].astype(np.float64).ravel().tolist()
        record["variables"][attr] = entry

    # Constant or random? A second build with another seed tells.
    second, _ = build(seed + 1)
    second_values = {
        attr: np.asarray(backend.to_numpy(var))
        for attr, var in variable_attributes(backend, second).items()
    }
    pools: dict[str, list[np.ndarray]] = {}
    for attr in found:
        other = second_values.get(attr)
        same = other is not None and other.shape == initial[attr].shape and np.array_equal(
            other, initial[attr]
        )
        record["variables"][attr]["deterministic"] = bool(same)
        if not same:
            pools[attr] = [initial[attr]] + ([other] if other is not None else [])
    if pools and not spec.get("keras2_before"):
        # (nothing to compare them with when the old code cannot run)
        smallest = min(max(1, initial[attr].size) for attr in pools)
        builds = min(MAX_BUILDS, max(2, math.ceil(POOL_TARGET / smallest)))
        for extra in range(2, builds):
            again, _ = build(seed + extra)
            for attr, var in variable_attributes(backend, again).items():
                if attr in pools:
                    pools[attr].append(np.asarray(backend.to_numpy(var)))
    for attr, entry in record["variables"].items():
        if attr in pools:
            entry["pooled"] = value_stats(np.concatenate([p.ravel() for p in pools[attr]]))
        else:
            entry["pooled"] = value_stats(initial[attr])

    # Same numbers into every variable, then the outputs.
    for attr, var in found.items():
        entry = record["variables"][attr]
        backend.assign(var, known_value(attr, tuple(entry["shape"]), entry["dtype"]))
    record["outputs"] = flatten_outputs(backend, layer(*inputs))
    record["losses"] = [float(np.asarray(backend.to_numpy(loss))) for loss in layer.losses]
    # Created once? A further call must keep every variable and add none.
    before_repeat = {attr: np.asarray(backend.to_numpy(var)) for attr, var in found.items()}
    record["repeat_outputs"] = flatten_outputs(backend, layer(*inputs))
    # A layer that updates its own variables (a step counter) may answer differently.
    record["state_changed_by_call"] = sorted(
        attr
        for attr, var in found.items()
        if not np.array_equal(np.asarray(backend.to_numpy(var)), before_repeat[attr])
    )
    now = variable_attributes(backend, layer)
    record["recreated_by_call"] = [attr for attr, var in found.items() if now.get(attr) is not var]
    record["created_by_call"] = sorted(set(now) - set(found))
    trainable_now, non_trainable_now = backend.tracked(layer)
    record["weights_stable"] = len(trainable_now) == len(trainable) and len(
        non_trainable_now
    ) == len(non_trainable) and all(
        a is b for a, b in zip(trainable_now + non_trainable_now, trainable + non_trainable)
    )
    return record


def run_expecting_failure(backend: Backend, module, spec: dict, expected: str) -> dict:
    """Build and call a layer whose old code cannot run on this side: record the error."""
    record: dict[str, Any] = {"class": spec["class"], "expected_failure": expected}
    try:
        cls = getattr(module, spec["class"])
        inputs = [backend.convert_input(array) for array in make_inputs(spec["inputs"])]
        backend.set_seed(1)
        cls(**spec["init"])(*inputs)
    except Exception as error:  # noqa: BLE001 - what the case expects
        record["failure"] = type(error).__name__
        record["failure_message"] = str(error)[:2000]
    else:
        record["failure"] = None
    return record


def run_cases(backend: Backend, manifest: list[dict]) -> dict:
    """Run every case of the manifest (entries ``{"id", "module", "toml"}``).

    An error in one case is recorded as that case's ``error`` (a traceback) and does
    not stop the others.
    """
    results = {}
    for entry in manifest:
        case_id = entry["id"]
        result: dict[str, Any] = {"layers": [], "error": None}
        try:
            specs = read_layers(Path(entry["toml"]))
            module = load_module(Path(entry["module"]), module_name(backend.name, case_id, "main"))
            for spec in specs:
                expected = spec.get(f"{backend.name}_before") if entry.get("old") else None
                if expected:
                    result["layers"].append(run_expecting_failure(backend, module, spec, expected))
                else:
                    result["layers"].append(run_layer(backend, module, spec))
        except Exception:  # noqa: BLE001 - reported to the test, which fails on it
            result["error"] = traceback.format_exc()
        results[case_id] = result
    return results


def default_manifest(side: str) -> list[dict]:
    """Every runnable ``[[layer]]`` golden case: before.py for the Keras 2 side; after.py
    (and before.py, for the untracked check) for the Keras 3 side."""
    manifest = []
    for case in discover_cases(kind="layer"):
        if not case.runnable:
            continue
        if side == "keras2":
            manifest.append(
                {"id": case.id, "module": str(case.before), "toml": str(case.toml), "old": True}
            )
        else:
            manifest.append(
                {"id": case.id, "module": str(case.after), "before": str(case.before),
                 "toml": str(case.toml)}
            )
    return manifest


# Process plumbing ----------------------------------------------------------------------


@contextlib.contextmanager
def stdout_to_stderr():
    """Send anything written to file descriptor 1 (TF, absl, C++ logs) to stderr.

    Yields a text stream on the real stdout, for the JSON result only.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    real = os.fdopen(saved, "w", encoding="utf-8")
    try:
        yield real
    finally:
        sys.stdout.flush()
        real.flush()


def main(
    side: str,
    run: Callable[[list[dict]], dict],
    argv: list[str],
    manifest_for: Callable[[str], list[dict]] = default_manifest,
) -> int:
    """``python <side>.py [MANIFEST.json] [OUT.json]``: no manifest (or ``-``) = every
    golden case of the side (``manifest_for(side)``); no OUT = JSON on the real stdout
    (library logs go to stderr)."""
    sys.dont_write_bytecode = True  # no __pycache__ inside golden/
    manifest = manifest_for(side)
    if len(argv) > 1 and argv[1] != "-":
        manifest = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    out_path = Path(argv[2]) if len(argv) > 2 else None
    with stdout_to_stderr() as real_stdout:
        results = {"side": side, "cases": run(manifest)}
        text = json.dumps(results)
        if out_path is None:
            real_stdout.write(text + "\n")
        else:
            out_path.write_text(text, encoding="utf-8")
    return 0
