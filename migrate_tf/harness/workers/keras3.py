"""The Keras 3 worker: runs the new code (every conversion's new side).

``TF_USE_LEGACY_KERAS`` is unset before TensorFlow is imported and the Keras backend
is TensorFlow, so ``import keras``, ``tf.keras`` and ``from tensorflow import keras``
are all Keras 3. A raw ``tf.Variable`` attribute is recorded too, as *not tracked*:
that is the bug the layer-class rule fixes.
"""

from __future__ import annotations

import sys

import numpy as np

from migrate_tf.harness.workers import common, layers
from migrate_tf.harness.workers.protocol import serve

common.quiet_tensorflow_environment(legacy_keras=False)

SIDE = "keras3"


class Keras3Side(layers.Backend):
    side = SIDE

    def __init__(self) -> None:
        import keras
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        if not keras.__version__.startswith("3."):
            raise RuntimeError(f"keras is {keras.__version__}, not Keras 3")
        self.keras = keras
        self.tf = tf
        self.containers = (keras.layers.Layer, tf.Module)
        self.framework_attributes = frozenset(
            name
            for base in (keras.layers.Layer(), keras.Model())
            for name, value in vars(base).items()
            if self.is_variable(value)
        )
        self.loader = common.ModuleLoader()

    def versions(self) -> dict:
        return {"tensorflow": self.tf.__version__, "keras": self.keras.__version__}

    def load(self, spec: dict):
        return self.loader.load(spec)

    def run(self, module, job: dict) -> dict:
        if job["kind"] == "layer-class":
            return layers.run_layer_class(self, module, job)
        return layers.run_function_layer(self, module, job)

    # backend
    def set_seed(self, seed: int) -> None:
        self.keras.utils.set_random_seed(seed)

    def is_variable(self, value) -> bool:
        return isinstance(value, (self.keras.Variable, self.tf.Variable))

    def describe(self, variable) -> dict:
        if isinstance(variable, self.keras.Variable):
            return {
                "shape": [int(d) for d in variable.shape],
                "dtype": self.keras.backend.standardize_dtype(variable.dtype),
                "trainable": bool(variable.trainable),
                "path": variable.path,
            }
        return {  # a raw tf.Variable: Keras 3 does not track it
            "shape": [int(d) for d in variable.shape.as_list()],
            "dtype": variable.dtype.base_dtype.name,
            "trainable": bool(variable.trainable),
            "path": common.strip_suffix(variable.name),
            "raw": True,
        }

    def to_numpy(self, value):
        return np.asarray(self.keras.ops.convert_to_numpy(value))

    def assign(self, variable, value) -> None:
        variable.assign(value)

    def tensor(self, array):
        return self.tf.constant(array)


def main(argv=None) -> int:
    return serve(SIDE, Keras3Side, argv)


if __name__ == "__main__":
    sys.exit(main())
