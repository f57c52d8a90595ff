"""Keras 2 side of the golden runtime check: runs before.py under tf_keras.

``TF_USE_LEGACY_KERAS=1`` is set before TensorFlow is imported, so ``tf.keras`` and
``from tensorflow import keras`` are Keras 2 (tf_keras), and ``import keras`` is made
to resolve to tf_keras too, as it did when this code was written.

Usage: ``python keras2_side.py [MANIFEST.json] [OUT.json]`` (see common.main).
"""

from __future__ import annotations

import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import random  # noqa: E402
import types  # noqa: E402

import numpy as np  # noqa: E402

import common  # noqa: E402


def alias_keras_to_tf_keras() -> None:
    """Make ``import keras`` / ``from keras.layers import Layer`` give tf_keras."""
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


class Keras2(common.Backend):
    name = "keras2"

    def __init__(self):
        import tensorflow as tf

        self.tf = tf
        import tf_keras

        self.framework_attributes = frozenset(
            name
            for base in (tf_keras.layers.Layer(), tf_keras.Model())
            for name, value in vars(base).items()
            if isinstance(value, tf.Variable)
        )

    def set_seed(self, seed):
        random.seed(seed)
        np.random.seed(seed)
        self.tf.random.set_seed(seed)

    def is_variable(self, value):
        return isinstance(value, self.tf.Variable)

    def describe(self, variable):
        return {
            "shape": [int(d) for d in variable.shape.as_list()],
            "dtype": variable.dtype.name,
            "trainable": bool(variable.trainable),
            "name": variable.name,
        }

    def to_numpy(self, value):
        return np.asarray(value.numpy() if hasattr(value, "numpy") else value)

    def assign(self, variable, value):
        variable.assign(value)

    def tracked(self, layer):
        return list(layer.trainable_weights), list(layer.non_trainable_weights)

    def convert_input(self, array):
        return self.tf.constant(array)

    def is_container(self, value):
        return isinstance(value, self.tf.Module)  # tf_keras layers are tf.Modules

    def container_variables(self, container):
        weights = getattr(container, "weights", None)
        return list(weights) if weights is not None else list(container.variables)

    def short_name(self, variable):
        return variable.name.rsplit("/", 1)[-1].split(":")[0]


def run(manifest):
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    assert tf.keras.__name__.startswith("tf_keras"), f"tf.keras is {tf.keras.__name__}"
    alias_keras_to_tf_keras()
    return common.run_cases(Keras2(), manifest)


if __name__ == "__main__":
    sys.exit(common.main("keras2", run, sys.argv))
