"""Keras 3 side of the golden runtime check: runs after.py (and before.py) under Keras 3.

For after.py it records the same things as the Keras 2 side, by attribute name, so
the two can be compared. For before.py it records which raw ``tf.Variable``
attributes Keras 3 tracks: none, which is the bug the rule fixes.

Usage: ``python keras3_side.py [MANIFEST.json] [OUT.json]`` (see common.main).
Manifest entries: ``{"id", "module", "toml"}`` plus an optional ``"before"`` path.
"""

from __future__ import annotations

import os
import sys
import traceback

os.environ.pop("TF_USE_LEGACY_KERAS", None)
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import common  # noqa: E402


class Keras3(common.Backend):
    name = "keras3"

    def __init__(self):
        import keras

        self.keras = keras
        self.framework_attributes = frozenset(
            name
            for base in (keras.layers.Layer(), keras.Model())
            for name, value in vars(base).items()
            if isinstance(value, keras.Variable)
        )

    def set_seed(self, seed):
        self.keras.utils.set_random_seed(seed)

    def is_variable(self, value):
        return isinstance(value, self.keras.Variable)

    def describe(self, variable):
        return {
            "shape": [int(d) for d in variable.shape],
            "dtype": self.keras.backend.standardize_dtype(variable.dtype),
            "trainable": bool(variable.trainable),
            "name": variable.name,
            "path": variable.path,
        }

    def to_numpy(self, value):
        return np.asarray(self.keras.ops.convert_to_numpy(value))

    def assign(self, variable, value):
        variable.assign(value)

    def tracked(self, layer):
        return list(layer.trainable_weights), list(layer.non_trainable_weights)

    def convert_input(self, array):
        import tensorflow as tf

        return tf.constant(array)

    def is_container(self, value):
        import tensorflow as tf

        return isinstance(value, (self.keras.layers.Layer, tf.Module))

    def container_variables(self, container):
        if isinstance(container, self.keras.layers.Layer):
            return list(container.weights)
        return list(container.variables)

    def short_name(self, variable):
        return variable.name.rsplit("/", 1)[-1].split(":")[0]


def recreated_under_keras3(backend: Keras3, module, spec: dict) -> dict:
    """Build a layer (or model) of before.py and call it twice, counting the variables
    each call creates (a Lambda whose function makes variables: new ones every call)
    and how many of them the layer tracks."""
    import tensorflow as tf

    inputs = [backend.convert_input(a) for a in common.make_inputs(spec["inputs"])]
    created: list[list] = []

    def creator(next_creator, **kwargs):
        variable = next_creator(**kwargs)
        created[-1].append(variable)
        return variable

    def build_and_call(seed):
        backend.set_seed(seed)
        created.append([])
        with tf.variable_creator_scope(creator):
            layer = getattr(module, spec["class"])(**spec["init"])
        outputs = []
        for _ in range(2):
            created.append([])
            with tf.variable_creator_scope(creator):
                outputs.append(layer(*inputs))
        return layer, outputs

    # Another seed first: do the variables the calls make start from constants?
    build_and_call(2)
    other = [np.asarray(v.numpy()) for v in created[1]]
    created.clear()
    layer, outputs = build_and_call(1)
    first = [np.asarray(v.numpy()) for v in created[1]]
    constant = len(first) == len(other) and all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, other)
    )
    weights = list(layer.trainable_weights) + list(layer.non_trainable_weights)

    def is_tracked(variable):
        return any(w is variable or getattr(w, "_value", None) is variable for w in weights)

    # Variables made again by a later call (not the layer's own weights, which its
    # first call builds and tracks): the Lambda's, none of which Keras 3 tracks.
    again = [v for batch in created[2:] for v in batch]
    return {
        "class": spec["class"],
        "recreated_expected": True,
        "created_per_call": [len(batch) for batch in created[1:]],
        "tracked_created": sum(1 for v in again if is_tracked(v)),
        "created": len(again),
        # The intended model, where the old code runs: its first call, when the
        # variables it makes start from constants, is what after.py must compute.
        "created_constant": constant,
        "first_outputs": common.flatten_outputs(backend, outputs[0]),
    }


def untrainable_under_keras3(backend: Keras3, module, spec: dict) -> dict:
    """Build and call a layer of before.py whose weights Keras 3 makes non-trainable."""
    inputs = [backend.convert_input(a) for a in common.make_inputs(spec["inputs"])]
    backend.set_seed(1)
    layer = getattr(module, spec["class"])(**spec["init"])
    layer(*inputs)
    variables = common.variable_attributes(backend, layer)
    return {
        "class": spec["class"],
        "untrainable_expected": True,
        "variables": sorted(variables),
        "untrainable": sorted(name for name, v in variables.items() if not v.trainable),
    }


def before_under_keras3(backend: Keras3, entry: dict) -> dict:
    """Build and call each layer of before.py; which raw tf.Variable attributes (of the
    layer, or of the objects it holds) are tracked? A layer whose case.toml names the
    error Keras 3 raises on before.py (``keras3_before``) records that error instead."""
    import tensorflow as tf

    def is_raw(value):
        return isinstance(value, tf.Variable) and not backend.is_variable(value)

    result = {"layers": [], "error": None}
    try:
        specs = common.read_layers(Path(entry["toml"]))
        module = common.load_module(
            Path(entry["before"]), common.module_name(backend.name, entry["id"], "before")
        )
        for spec in specs:
            if spec.get("keras3_before") == "recreated":
                result["layers"].append(recreated_under_keras3(backend, module, spec))
                continue
            if spec.get("keras3_before") == "untrainable":
                result["layers"].append(untrainable_under_keras3(backend, module, spec))
                continue
            if spec.get("keras3_before"):
                result["layers"].append(
                    common.run_expecting_failure(backend, module, spec, spec["keras3_before"])
                )
                continue
            inputs = [backend.convert_input(a) for a in common.make_inputs(spec["inputs"])]
            backend.set_seed(1)
            layer = getattr(module, spec["class"])(**spec["init"])
            layer(*inputs)
            raw = common.variable_attributes(backend, layer, is_variable=is_raw)
            weights = list(layer.trainable_weights) + list(layer.non_trainable_weights)

            def is_tracked(variable):
                return any(w is variable or getattr(w, "_value", None) is variable for w in weights)

            result["layers"].append(
                {
                    "class": spec["class"],
                    "raw_variables": sorted(raw),
                    "tracked_raw": sorted(name for name, v in raw.items() if is_tracked(v)),
                    "weight_count": len(weights),
                }
            )
    except Exception:  # noqa: BLE001 - reported to the test
        result["error"] = traceback.format_exc()
    return result


def run(manifest):
    import keras
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    assert keras.__version__.startswith("3."), keras.__version__
    assert keras.config.backend() == "tensorflow", keras.config.backend()
    backend = Keras3()
    results = common.run_cases(backend, manifest)
    for entry in manifest:
        if entry.get("before"):
            results[entry["id"]]["before_keras3"] = before_under_keras3(backend, entry)
    return results


if __name__ == "__main__":
    sys.exit(common.main("keras3", run, sys.argv))
