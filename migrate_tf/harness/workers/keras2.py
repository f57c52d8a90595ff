"""The Keras 2 side: runs old Keras-2-era layer classes under tf-keras, in the legacy
worker process (:mod:`~migrate_tf.harness.workers.legacy`), before any TF1 job.

``TF_USE_LEGACY_KERAS=1`` is set before TensorFlow is imported, so ``tf.keras`` and
``from tensorflow import keras`` are Keras 2 (tf_keras), and ``import keras`` is
aliased to tf_keras too, as it was when the code was written. Variables are recorded
by attribute name (see :func:`migrate_tf.harness.workers.layers.run_layer_class`).
"""

from __future__ import annotations

import random

import numpy as np

from migrate_tf.harness.workers import common, layers

common.quiet_tensorflow_environment(legacy_keras=True)

SIDE = "keras2"


class Keras2Side(layers.Backend):
    side = SIDE

    def __init__(self) -> None:
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        if not tf.keras.__name__.startswith("tf_keras"):
            raise RuntimeError(f"tf.keras is {tf.keras.__name__}, not tf_keras: is tf-keras installed?")
        common.alias_keras_to_tf_keras()
        import tf_keras

        self.tf = tf
        self.containers = (tf.Module,)  # tf_keras layers are tf.Modules
        self.tf_keras = tf_keras
        self.framework_attributes = frozenset(
            name
            for base in (tf_keras.layers.Layer(), tf_keras.Model())
            for name, value in vars(base).items()
            if isinstance(value, tf.Variable)
        )
        self.loader = common.ModuleLoader()

    def versions(self) -> dict:
        return {"tensorflow": self.tf.__version__, "keras": self.tf_keras.__version__}

    def load(self, spec: dict):
        return self.loader.load(spec)

    def run(self, module, job: dict) -> dict:
        if job["kind"] != "layer-class":
            raise ValueError(f"the Keras 2 side does not run {job['kind']} jobs")
        return layers.run_layer_class(self, module, job)

    # backend
    def set_seed(self, seed: int) -> None:
        random.seed(seed)
        np.random.seed(seed)
        self.tf.random.set_seed(seed)

    def is_variable(self, value) -> bool:
        return isinstance(value, self.tf.Variable)

    def describe(self, variable) -> dict:
        return {
            "shape": [int(d) for d in variable.shape.as_list()],
            "dtype": variable.dtype.base_dtype.name,
            "trainable": bool(variable.trainable),
            "name": common.strip_suffix(variable.name),
        }

    def to_numpy(self, value):
        return np.asarray(value.numpy() if hasattr(value, "numpy") else value)

    def assign(self, variable, value) -> None:
        variable.assign(value)

    def tensor(self, array):
        return self.tf.constant(array)
