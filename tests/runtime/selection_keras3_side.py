"""Keras 3 side of the MTF205 runtime check: after.py's functions, eagerly, and
before.py's (whose collection queries return [] under eager execution: the bug).

Usage: ``python selection_keras3_side.py [MANIFEST.json] [OUT.json]`` (see common.main).
"""

from __future__ import annotations

import os
import sys

os.environ.pop("TF_USE_LEGACY_KERAS", None)
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import common  # noqa: E402
import selection  # noqa: E402


def run(manifest):
    import keras
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    assert keras.__version__.startswith("3."), keras.__version__

    def describe(function):
        return [
            {
                "name": getattr(v, "path", None) or v.name.split(":")[0],
                "shape": [int(d) for d in v.shape],
                "trainable": bool(v.trainable),
            }
            for v in function()
        ]

    return selection.run_cases("selection_keras3", manifest, describe, ("module", "before"))


if __name__ == "__main__":
    sys.exit(common.main("selection_keras3", run, sys.argv, manifest_for=selection.manifest))
