"""Running Keras layers (Keras 2 or Keras 3) the same way on both sides. No TensorFlow
import here: each side passes a *backend* that knows its Keras.

Two routines:

* :func:`run_layer_class`: a layer class rewritten in place (the old class under
  Keras 2, the new one under Keras 3); variables are keyed by *attribute name*,
  because Keras 2 variable names and Keras 3 paths differ while the attributes keep
  their names.
* :func:`run_function_layer`: the Keras 3 layer a TF1 function became; weights are
  keyed by ``path``, which must equal the TF1 variable name without ``:0``.

Both call the layer ``calls`` times (call ``k`` on the tensors of ``RandomState(k)``,
the first tensor positional, the others and the case's other call arguments by
keyword, ``training=False`` when ``call`` takes it), build further layers with other
seeds to tell constant from random initial values, assign :func:`known_value` by key
and call again for the outputs, and read the regularization losses.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from migrate_tf.harness.workers import common


class Backend:
    side = "?"
    framework_attributes: frozenset = frozenset()

    def set_seed(self, seed: int) -> None: ...
    def is_variable(self, value: Any) -> bool: ...
    def describe(self, variable) -> dict: ...
    def to_numpy(self, value) -> np.ndarray: ...
    def assign(self, variable, value: np.ndarray) -> None: ...
    def tensor(self, array: np.ndarray): ...

    #: the side's TensorFlow module and the classes whose instances hold variables
    #: (sublayers, ``tf.Module``s), set by the side
    tf: Any = None
    containers: tuple = ()

    def is_container(self, value: Any) -> bool:
        return isinstance(value, self.containers)

    def container_variables(self, container) -> list:
        weights = getattr(container, "weights", None)
        return list(weights) if weights is not None else list(container.variables)

    def short_name(self, variable) -> str:
        return common.strip_suffix(variable.name).rsplit("/", 1)[-1]

    def is_dead(self, layer, variable, run) -> bool:
        """Whether the outputs of ``run()`` do not depend on ``variable`` (no gradient)."""
        tf = self.tf
        target = variable if isinstance(variable, tf.Variable) else variable.value
        with tf.GradientTape() as tape:
            tape.watch(target)
            outputs = [o for o in tf.nest.flatten(run()) if o is not None]
            total = tf.add_n([tf.reduce_sum(tf.cast(o, tf.float32)) for o in outputs])
        return tape.gradient(total, target) is None


def _call_parameters(layer) -> set[str]:
    try:
        return set(inspect.signature(layer.call).parameters)
    except (TypeError, ValueError):
        return set()


def _call(backend: Backend, layer, job: dict, call: int, extra: dict):
    arrays = common.call_tensors(job, call)
    first = job.get("call_first")
    if first is None or first not in arrays:
        raise ValueError("the case has no tensor input to call the layer with")
    keywords = {name: backend.tensor(array) for name, array in arrays.items() if name != first}
    keywords.update(extra)
    if "training" in _call_parameters(layer) and "training" not in keywords:
        keywords["training"] = False
    return layer(backend.tensor(arrays[first]), **keywords)


def _flatten(backend: Backend, value) -> list[dict]:
    return [
        common.describe_array(path, None if leaf is None else backend.to_numpy(leaf))
        for path, leaf in common.leaves(value)
    ]


def variable_attributes(backend: Backend, layer) -> dict[str, Any]:
    """Attribute path -> variable, for every variable the layer holds.

    The layer's own variables are keyed by attribute name (``w``); a list of them by
    ``ws[0]``; those of objects it holds in public attributes (sublayers,
    ``tf.Module``s, lists of them) by the path to them: ``inner.w`` when the object's
    class comes from the migrated module (its attributes have the same names before
    and after), ``dense/kernel`` (the variable's own name) for a framework layer,
    whose attribute names differ between Keras 2 and Keras 3.
    """
    found: dict[str, Any] = {}
    module = type(layer).__module__
    seen: set[int] = set()

    def held(name: str, value) -> list[tuple[str, Any]]:
        if isinstance(value, (list, tuple)):
            return [(f"{name}[{i}]", item) for i, item in enumerate(value)]
        if isinstance(value, dict):
            return [(f"{name}[{k!r}]", v) for k, v in sorted(value.items(), key=str)]
        return [(name, value)]

    def walk(obj, prefix: str) -> None:
        seen.add(id(obj))
        for name, value in sorted(vars(obj).items()):
            if name in backend.framework_attributes:
                continue
            if backend.is_variable(value):
                found[prefix + _public_name(obj, name)] = value
                continue
            if name.startswith("_"):
                continue
            for key, item in held(name, value):
                if key != name and backend.is_variable(item):
                    found[prefix + key] = item
                elif id(item) not in seen and backend.is_container(item):
                    if type(item).__module__ == module:
                        walk(item, f"{prefix}{key}.")
                    else:
                        seen.add(id(item))
                        for variable in backend.container_variables(item):
                            found[f"{prefix}{key}/{backend.short_name(variable)}"] = variable

    walk(layer, "")
    return found


def _public_name(obj, name: str) -> str:
    """``kernel`` for ``_kernel`` when the class exposes it as a property (Keras 3's
    Dense keeps its kernel in ``_kernel``; Keras 2's in ``kernel``)."""
    if name.startswith("_") and isinstance(getattr(type(obj), name[1:], None), property):
        return name[1:]
    return name


def stale_weights(backend: Backend, layer, found: dict, job: dict, extra: dict) -> dict:
    """Tracked weights that no attribute holds and no output depends on, by kind: the
    dead copy Keras 2 lists when a sublayer is built twice (by hand in ``build``, then
    on its first call). They are not counted as the layer's weights."""
    held = list(found.values())
    stale = {"trainable": 0, "non_trainable": 0}
    trainable = list(layer.trainable_weights)
    for weight in trainable + list(layer.non_trainable_weights):
        if any(weight is v for v in held):
            continue
        if backend.is_dead(layer, weight, lambda: _call(backend, layer, job, 0, extra)):
            kind = "trainable" if any(weight is w for w in trainable) else "non_trainable"
            stale[kind] += 1
    return stale


def _losses(backend: Backend, layer) -> dict:
    values = [float(np.asarray(backend.to_numpy(loss)).sum()) for loss in layer.losses]
    return {"count": len(values), "sum": float(sum(values))}


def run_layer_class(backend: Backend, module, job: dict) -> dict:
    cls = getattr(module, job["class"])
    init = common.decode_all(job["init"])
    extra = common.decode_all(job["call_args"])
    calls = job["calls"]

    def build(seed: int | None):
        if seed is not None:  # reseeding clears TensorFlow's caches: ~80 ms, so only twice
            backend.set_seed(seed)
        layer = cls(**init)
        return layer, _call(backend, layer, job, 0, extra)

    layer, first_output = build(job["seed"])
    found = variable_attributes(backend, layer)
    weights = list(layer.trainable_weights) + list(layer.non_trainable_weights)
    stale = stale_weights(backend, layer, found, job, extra)
    record: dict = {
        "layer_name": layer.name,
        "trainable_count": len(layer.trainable_weights) - stale["trainable"],
        "non_trainable_count": len(layer.non_trainable_weights) - stale["non_trainable"],
        "variables": {},
        "duplicates": [],
        "per_call": [sorted(found)],
        "same_objects": True,
        "regularization": {"count": 0, "sum": 0.0},
        "constraints": {},
    }
    draws: dict[str, list[np.ndarray]] = {}
    for attribute, variable in found.items():
        entry = backend.describe(variable)
        entry["tracked"] = any(w is variable for w in weights)
        record["variables"][attribute] = entry
        draws[attribute] = [np.asarray(backend.to_numpy(variable))]

    # Constant or random: a layer built with another seed tells; random ones pooled.
    second, _ = build(job["seed"] + 1)
    for attribute, variable in variable_attributes(backend, second).items():
        if attribute in draws:
            draws[attribute].append(np.asarray(backend.to_numpy(variable)))
    random = [
        a for a, d in draws.items() if len(d) > 1 and not (
            d[0].shape == d[1].shape and np.array_equal(d[0], d[1])
        )
    ]
    count = common.draws_needed(backend.side, [draws[a][0].size for a in random])
    for _ in range(2, count):
        again, _ = build(None)  # the generator seeded for the second build goes on
        for attribute, variable in variable_attributes(backend, again).items():
            if attribute in random:
                draws[attribute].append(np.asarray(backend.to_numpy(variable)))
    for attribute, values in draws.items():
        record["variables"][attribute].update(common.initial_entry(values))

    record["first_outputs"] = [_flatten(backend, first_output)]
    for call in range(1, calls):
        record["first_outputs"].append(_flatten(backend, _call(backend, layer, job, call, extra)))
        now = variable_attributes(backend, layer)
        record["per_call"].append(sorted(now))
        if any(now.get(a) is not v for a, v in found.items()):
            record["same_objects"] = False

    for attribute, variable in found.items():
        entry = record["variables"][attribute]
        backend.assign(variable, common.known_value(attribute, tuple(entry["shape"]), entry["dtype"]))
    record["outputs"] = [
        _flatten(backend, _call(backend, layer, job, call, extra)) for call in range(calls)
    ]
    now = variable_attributes(backend, layer)
    record["recreated_by_call"] = [a for a, v in found.items() if now.get(a) is not v]
    record["regularization"] = _losses(backend, layer)
    return record


def run_function_layer(backend: Backend, module, job: dict) -> dict:
    cls = getattr(module, job["class"])
    init = common.decode_all(job["init"])
    extra = common.decode_all(job["call_args"])
    calls = job["calls"]

    def build(seed: int | None, count: int):
        if seed is not None:  # reseeding clears TensorFlow's caches: ~80 ms, so only twice
            backend.set_seed(seed)
        layer = cls(**init)
        outputs, per_call = [], []
        for call in range(count):
            outputs.append(_call(backend, layer, job, call, extra))
            per_call.append(list(layer.weights))
        return layer, outputs, per_call

    layer, first_outputs, per_call = build(job["seed"], calls)
    weights = per_call[-1]
    paths = [w.path for w in weights]
    record: dict = {
        "layer_name": layer.name,
        "per_call": [sorted(w.path for w in ws) for ws in per_call],
        "same_objects": all(
            len(ws) == len(weights) and all(a is b for a, b in zip(ws, weights))
            for ws in per_call
        ),
        "duplicates": sorted({p for p in paths if paths.count(p) > 1}),
        "weight_count": len(weights),
        "first_outputs": [_flatten(backend, out) for out in first_outputs],
        "variables": {},
        "regularization": {"count": 0, "sum": 0.0},
        "constraints": {},
    }
    draws: dict[str, list[np.ndarray]] = {}
    for weight in weights:
        if weight.path in record["variables"]:
            continue
        record["variables"][weight.path] = backend.describe(weight)
        draws[weight.path] = [np.asarray(backend.to_numpy(weight))]

    def draw(seed: int | None) -> dict:
        _, _, again = build(seed, 1)
        values = {}
        for weight in again[-1]:
            values.setdefault(weight.path, np.asarray(backend.to_numpy(weight)))
        return values

    for path, value in draw(job["seed"] + 1).items():
        if path in draws:
            draws[path].append(value)
    random = [
        p for p, d in draws.items() if len(d) > 1 and not (
            d[0].shape == d[1].shape and np.array_equal(d[0], d[1])
        )
    ]
    count = common.draws_needed(backend.side, [draws[p][0].size for p in random])
    for _ in range(2, count):
        for path, value in draw(None).items():
            if path in random:
                draws[path].append(value)
    for path, values in draws.items():
        record["variables"][path].update(common.initial_entry(values))

    for weight in weights:
        entry = record["variables"][weight.path]
        backend.assign(weight, common.known_value(weight.path, tuple(entry["shape"]), entry["dtype"]))
    record["outputs"] = [
        _flatten(backend, _call(backend, layer, job, call, extra)) for call in range(calls)
    ]
    record["regularization"] = _losses(backend, layer)
    for weight in weights:
        constraint = getattr(weight, "constraint", None)
        if constraint is not None:
            entry = record["variables"][weight.path]
            known = common.known_value(weight.path, tuple(entry["shape"]), entry["dtype"])
            value = np.asarray(backend.to_numpy(constraint(backend.tensor(known))))
            record["constraints"][weight.path] = [float(x) for x in value.ravel()]
    return record
