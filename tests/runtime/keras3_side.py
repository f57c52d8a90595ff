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


def before_under_keras3(backend: Keras3, entry: dict) -> dict:
    """Build and call each layer of before.py; which raw tf.Variable attributes are tracked?"""
    import tensorflow as tf

    result = {"layers": [], "error": None}
    try:
        specs = common.read_layers(Path(entry["toml"]))
        module = common.load_module(
            Path(entry["before"]), common.module_name(backend.name, entry["id"], "before")
        )
        for spec in specs:
            inputs = [backend.convert_input(a) for a in common.make_inputs(spec["inputs"])]
            backend.set_seed(1)
            layer = getattr(module, spec["class"])(**spec["init"])
            layer(*inputs)
            raw = {
                name: value
                for name, value in sorted(vars(layer).items())
                if isinstance(value, tf.Variable) and not backend.is_variable(value)
            }
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
