"""Keras 3 side of the MTF1xx runtime check: builds and calls the layers of after.py.

For each ``[[function]]`` of case.toml, with ``keras.utils.set_random_seed(1)``:

1. the layer is built with the function's ``args`` as constructor keywords (``scope``
   becomes ``name``, ``reuse`` is dropped, ``training`` / ``is_training`` go to the
   call) and called ``calls`` times: call ``k`` on the inputs of the TF1 side's call
   ``k``, the first input positional, the others by keyword, ``training=False`` when
   ``call`` takes it;
2. every weight in ``layer.weights`` is recorded by its ``path`` (which must be the
   TF1 name), with shape, dtype and trainable flag; paths held twice are listed;
3. new layers built with further seeds tell constant from random initial values;
4. every weight is assigned ``scoped.known_value`` of its path, then the outputs,
   ``layer.losses`` and each weight's constraint are evaluated.

Usage: ``python keras3_layers_side.py [MANIFEST.json] [OUT.json]`` (see common.main).
"""

from __future__ import annotations

import os
import sys

os.environ.pop("TF_USE_LEGACY_KERAS", None)
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import inspect  # noqa: E402

import numpy as np  # noqa: E402

import common  # noqa: E402
import scoped  # noqa: E402

SIDE = "keras3_layers"


class Keras3Layers:
    def __init__(self):
        import keras
        import tensorflow as tf

        assert keras.__version__.startswith("3."), keras.__version__
        assert keras.config.backend() == "tensorflow", keras.config.backend()
        tf.get_logger().setLevel("ERROR")
        self.keras = keras
        self.tf = tf

    def to_numpy(self, value):
        return np.asarray(self.keras.ops.convert_to_numpy(value))

    def known_value(self, weight) -> np.ndarray:
        shape = tuple(int(d) for d in weight.shape)
        dtype = self.keras.backend.standardize_dtype(weight.dtype)
        return scoped.known_value(weight.path, shape, dtype)

    def call(self, layer, spec: dict, call: int):
        """Call ``layer`` on the inputs of call number ``call``: the first one positional,
        the others by keyword, with the training flags its ``call`` takes."""
        _, flags = scoped.layer_arguments(spec)
        flags = scoped.call_flags(inspect.signature(layer.call).parameters, flags)
        arrays = list(scoped.call_inputs(spec, call).items())
        first = self.tf.constant(arrays[0][1])
        keywords = {name: self.tf.constant(array) for name, array in arrays[1:]}
        return layer(first, **keywords, **flags)

    def build(self, cls, spec: dict, seed: int, calls: int):
        """A new layer, called ``calls`` times; its outputs and its weights after each call."""
        self.keras.utils.set_random_seed(seed)
        init, _ = scoped.layer_arguments(spec)
        layer = cls(**init)
        outputs, weights_per_call = [], []
        for call in range(calls):
            outputs.append(self.call(layer, spec, call))
            weights_per_call.append(list(layer.weights))
        return layer, outputs, weights_per_call

    def run_function(self, module, spec: dict, seed: int = 1) -> dict:
        cls = scoped.member(module, spec["layer"], "layer class")
        record = scoped.empty_record(spec)
        layer, first_outputs, per_call = self.build(cls, spec, seed, spec["calls"])
        weights = per_call[-1]
        record["per_call"] = [sorted(w.path for w in ws) for ws in per_call]
        record["same_objects"] = all(
            len(ws) == len(weights) and all(a is b for a, b in zip(ws, weights))
            for ws in per_call
        )
        paths = [w.path for w in weights]
        record["duplicates"] = sorted({p for p in paths if paths.count(p) > 1})
        record["first_outputs"] = [common.flatten_outputs(self, out) for out in first_outputs]
        draws = {}
        for weight in weights:
            record["variables"][weight.path] = {
                "shape": [int(d) for d in weight.shape],
                "dtype": self.keras.backend.standardize_dtype(weight.dtype),
                "trainable": bool(weight.trainable),
            }
            draws.setdefault(weight.path, [self.to_numpy(weight)])

        # Constant or random: build again with other seeds (the first call builds all).
        def draw(extra: int) -> dict:
            again, _, again_weights = self.build(cls, spec, seed + extra, 1)
            return {w.path: self.to_numpy(w) for w in again_weights[-1]}

        for path, value in draw(1).items():
            if path in draws:
                draws[path].append(value)
        random = [
            p for p, d in draws.items() if len(d) > 1 and not np.array_equal(d[0], d[1])
        ]
        count = scoped.draws_needed(SIDE, [draws[p][0].size for p in random])
        for extra in range(2, count):
            for path, value in draw(extra).items():
                if path in random:
                    draws[path].append(value)
        for path in draws:
            scoped.describe_initial(record, path, draws[path])

        for weight in weights:
            weight.assign(self.known_value(weight))
        record["outputs"] = [
            common.flatten_outputs(self, self.call(layer, spec, call))
            for call in range(spec["calls"])
        ]
        losses = [float(self.to_numpy(loss)) for loss in layer.losses]
        record["regularization"] = {"count": len(losses), "sum": float(sum(losses))}
        for weight in weights:
            if weight.constraint is not None:
                value = self.to_numpy(weight.constraint(self.tf.constant(self.known_value(weight))))
                record["constraints"][weight.path] = value.astype(np.float64).ravel().tolist()
        return record


def run(manifest):
    side = Keras3Layers()
    return scoped.run_cases(SIDE, side.run_function, manifest, common.load_module)


if __name__ == "__main__":
    sys.exit(common.main(SIDE, run, sys.argv, manifest_for=scoped.manifest))
