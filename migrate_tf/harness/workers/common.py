"""What every worker shares: inputs, known values, outputs, statistics, module loading.

Imports numpy and the standard library only; the sides bring TensorFlow.

Both sides of a check must see the same numbers:

* call ``k`` of a case gets its tensors from ``numpy.random.RandomState(k)``, drawn in
  the job's ``tensor_order`` (standard normal values; integers 0..3 for integer dtypes,
  so they are valid ids for any vocabulary of 4 or more);
* before outputs are compared, every variable gets :func:`known_value` of its key
  (TF1 name without ``:0`` = Keras 3 path for function-to-layer conversions; the
  attribute name for layer classes), which depends only on key, shape and dtype.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import os
import re
import sys
import zlib
from typing import Any, Callable

import numpy as np

#: Random initial values: draw with further seeds until each random variable has this
#: many values, within the side's limit (a TF1 re-initialisation is cheap, a Keras
#: rebuild is not).
POOL_TARGET = 2048
MAX_DRAWS = {"tf1": 128, "keras2": 12, "keras3": 12}
#: Outputs are sent back in full up to this many values each; larger ones as a
#: deterministic sample (with their statistics), to keep the pipe traffic bounded.
MAX_OUTPUT_VALUES = 200_000


class HParams:
    """A small table from a case (``hparams = { hidden = 64 }``): ``h.hidden``,
    ``h["hidden"]``, ``h.get("hidden")``, ``"hidden" in h``. Not a dict subclass: Keras 3
    replaces dict attributes of layers by tracking wrappers, which would lose the
    attribute access TF1 code relied on (``tf.contrib.training.HParams`` style)."""

    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)

    def __getitem__(self, name: str) -> Any:
        return self.__dict__[name]

    def __contains__(self, name: str) -> bool:
        return name in self.__dict__

    def __iter__(self):
        return iter(self.__dict__)

    def get(self, name: str, default: Any = None) -> Any:
        return self.__dict__.get(name, default)

    def keys(self):
        return self.__dict__.keys()

    def values(self):
        return self.__dict__.values()

    def items(self):
        return self.__dict__.items()

    def values_dict(self) -> dict:
        return dict(self.__dict__)

    def __repr__(self) -> str:
        return f"HParams({self.__dict__!r})"


def parse_spec(text: str) -> tuple[str, tuple[int, ...]]:
    match = re.match(r"^\s*([a-z]+[0-9]*)\s*\[\s*([0-9,\s]*)\]\s*$", text)
    if not match:
        raise ValueError(f"bad tensor spec {text!r}")
    return match.group(1), tuple(int(d) for d in match.group(2).replace(" ", "").split(",") if d)


def random_array(state: np.random.RandomState, spec: str) -> np.ndarray:
    dtype, shape = parse_spec(spec)
    kind = np.dtype(dtype)
    if np.issubdtype(kind, np.integer):
        return state.randint(0, 4, size=shape).astype(kind)
    if kind == np.bool_:
        return state.standard_normal(shape) > 0
    return state.standard_normal(shape).astype(kind)


def call_tensors(job: dict, call: int) -> dict[str, np.ndarray]:
    """The tensor arguments of call number ``call``, by name, in the job's order."""
    state = np.random.RandomState(call)
    return {name: random_array(state, job["tensors"][name]) for name in job["tensor_order"]}


def decode(value: Any, name: str = "") -> Any:
    """A job value back into Python: tagged tensors (fixed values) and hparams."""
    if isinstance(value, dict):
        if set(value) == {"__tensor__"}:
            state = np.random.RandomState(zlib.crc32(name.encode("utf-8")))
            return random_array(state, value["__tensor__"])
        if set(value) == {"__hparams__"}:
            return HParams({k: decode(v, f"{name}.{k}") for k, v in value["__hparams__"].items()})
        return {k: decode(v, f"{name}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v, name) for v in value]
    return value


def decode_all(values: dict) -> dict:
    return {name: decode(value, name) for name, value in values.items()}


def known_value(key: str, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """The value every variable named ``key`` gets on both sides before outputs are
    compared: a sine wave with a phase from the name, half amplitude for floats,
    positive for variances (normalisation divides by ``sqrt(variance + eps)``)."""
    size = int(np.prod(shape, dtype=np.int64))
    phase = (zlib.crc32(key.encode("utf-8")) % 1000) / 100.0
    wave = np.sin(np.arange(size, dtype=np.float64) * 0.731 + phase)
    kind = np.dtype(dtype)
    if kind == np.bool_:
        value = wave > 0
    elif np.issubdtype(kind, np.integer):
        value = np.round(wave * 5.0)
    else:
        value = 0.5 * wave
        if re.search(r"variance|(^|_)var$", key.rsplit("/", 1)[-1]):
            value = np.abs(value) + 0.25
    return np.asarray(value).astype(kind).reshape(shape)


def leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """The leaves of an output structure with their paths (dicts by sorted key)."""
    if isinstance(value, dict):
        found = []
        for key in sorted(value, key=str):
            found += leaves(value[key], f"{path}[{key!r}]")
        return found
    if isinstance(value, (list, tuple)):
        found = []
        for index, item in enumerate(value):
            found += leaves(item, f"{path}[{index}]")
        return found
    return [(path, value)]


def describe_array(path: str, array: Any) -> dict:
    """One output leaf: path, shape, dtype and (up to a limit) its values."""
    if array is None:
        return {"path": path, "shape": None, "dtype": "None", "values": []}
    array = np.asarray(array)
    if array.dtype == object:
        return {"path": path, "shape": list(array.shape), "dtype": "object", "values": [],
                "repr": repr(array.tolist())[:200]}
    flat = array.astype(np.float64).ravel()
    entry = {"path": path, "shape": list(array.shape), "dtype": array.dtype.name}
    if flat.size > MAX_OUTPUT_VALUES:
        step = math.ceil(flat.size / MAX_OUTPUT_VALUES)
        entry["sampled_every"] = step
        flat = flat[::step]
    entry["values"] = flat.tolist()
    return entry


def value_stats(values: np.ndarray) -> dict:
    values = np.asarray(values).astype(np.float64).ravel()
    if not values.size:
        return {"n": 0, "mean": 0.0, "std": 0.0, "min": 0.0, "max": 0.0}
    return {
        "n": int(values.size),
        "mean": float(values.mean()),
        "std": float(values.std()),
        "min": float(values.min()),
        "max": float(values.max()),
    }


def draws_needed(side: str, random_sizes: list[int]) -> int:
    """How many initial draws (seeds) so the smallest random variable gets
    :data:`POOL_TARGET` values, within the side's limit; at least 2."""
    if not random_sizes:
        return 2
    smallest = max(1, min(random_sizes))
    return min(MAX_DRAWS[side], max(2, math.ceil(POOL_TARGET / smallest)))


def initial_entry(draws: list[np.ndarray]) -> dict:
    """``deterministic``, ``initial`` (constants only) and ``pooled`` statistics of one
    variable, from its values under successive seeds (``draws[0]`` the recorded one)."""
    first = draws[0]
    deterministic = len(draws) < 2 or (
        draws[1].shape == first.shape and np.array_equal(draws[1], first)
    )
    if deterministic:
        return {
            "deterministic": True,
            "initial": first.astype(np.float64).ravel().tolist(),
            "pooled": value_stats(first),
        }
    return {
        "deterministic": False,
        "pooled": value_stats(np.concatenate([d.ravel() for d in draws])),
    }


def strip_suffix(name: str) -> str:
    """A TF1 variable name without its ``:0``."""
    return re.sub(r":\d+$", "", name)


# Loading user modules ---------------------------------------------------------------


class ModuleLoader:
    """Imports the user's modules by path, each once per process.

    The file's directory and its import root go on ``sys.path`` (so it can import its
    siblings and its package), and it is imported under its dotted name (so relative
    imports work), or under a unique alias when another file already has that name.
    An import that failed fails again the same way, without running the file again.
    """

    def __init__(self) -> None:
        self.loaded: dict[str, Any] = {}
        self.failed: dict[str, BaseException] = {}
        self.names: dict[str, str] = {}  # module name -> path it was loaded from
        self.roots: list[str] = []  # the directories put on sys.path for user modules

    def load(self, spec: dict, around: Callable[[Callable[[], Any]], Any] | None = None):
        path = spec["path"]
        if path in self.loaded:
            return self.loaded[path]
        if path in self.failed:
            raise self.failed[path]
        for entry in reversed(spec["sys_path"]):
            if entry not in sys.path:
                sys.path.insert(0, entry)
            if entry not in self.roots:
                self.roots.append(entry)
        name = spec["name"]
        if name in self.names and self.names[name] != path:
            name = f"{name.replace('.', '_')}__migrate_tf_{len(self.names)}"
        try:
            module = (around or (lambda f: f()))(lambda: self._import(name, path))
        except BaseException as error:
            self.failed[path] = error
            raise
        self.loaded[path] = module
        self.names[name] = path
        return module

    @staticmethod
    def _import(name: str, path: str):
        parent = name.rpartition(".")[0]
        if parent:
            try:
                importlib.import_module(parent)
            except ImportError:
                name = name.replace(".", "_")
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        previous = sys.modules.get(name)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            if previous is not None:
                sys.modules[name] = previous
            else:
                sys.modules.pop(name, None)
            raise
        return module


def forget_user_modules(roots: list[str], keep: frozenset[str]) -> list[str]:
    """Remove from ``sys.modules`` the modules imported from the user's ``roots`` since
    ``keep`` was taken, so the next import runs their code again. Installed packages
    stay (a compiled extension cannot be imported twice), even in a root that holds a
    virtual environment. Returns the names removed."""
    directories = [os.path.join(os.path.realpath(root), "") for root in roots]
    installed = {os.path.join(os.path.realpath(p), "") for p in (sys.prefix, sys.base_prefix)}
    removed = []
    for name, module in list(sys.modules.items()):
        if name in keep:
            continue
        location = getattr(module, "__file__", None)
        if not location:
            continue
        location = os.path.realpath(location)
        parts = location.split(os.sep)
        if "site-packages" in parts or "dist-packages" in parts:
            continue
        if any(location.startswith(prefix) for prefix in installed):
            continue
        if any(location.startswith(directory) for directory in directories):
            del sys.modules[name]
            removed.append(name)
    return removed


def alias_keras_to_tf_keras() -> None:
    """Make ``import keras`` (and ``keras.layers`` ...) give tf_keras, as it did when
    Keras 2 code was written. Only for the legacy sides."""
    import types

    import tf_keras

    def register(alias: str, module: types.ModuleType, depth: int) -> None:
        sys.modules.setdefault(alias, module)
        if depth == 0:
            return
        for attribute, value in vars(module).items():
            if (
                isinstance(value, types.ModuleType)
                and not attribute.startswith("_")
                and value.__name__.startswith("tf_keras")
            ):
                register(f"{alias}.{attribute}", value, depth - 1)

    for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
        del sys.modules[name]
    register("keras", tf_keras, 2)


def quiet_tensorflow_environment(legacy_keras: bool) -> None:
    """Environment a worker sets before TensorFlow is imported (the parent sets it too)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    os.environ["KERAS_BACKEND"] = "tensorflow"
    if legacy_keras:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
    else:
        os.environ.pop("TF_USE_LEGACY_KERAS", None)
