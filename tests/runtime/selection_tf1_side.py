"""TF1 side of the MTF205 runtime check: before.py's functions in a TF1 graph.

``TF_USE_LEGACY_KERAS=1`` (tf_keras, whose layers put their variables in the graph's
collections) and graph mode, as the code ran when collections worked.

Usage: ``python selection_tf1_side.py [MANIFEST.json] [OUT.json]`` (see common.main).
"""

from __future__ import annotations

import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import common  # noqa: E402
import selection  # noqa: E402


def run(manifest):
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    tf.compat.v1.disable_eager_execution()

    def describe(function):
        with tf.Graph().as_default():
            variables = function()
            trainable = {id(v) for v in tf.compat.v1.trainable_variables()}
            return [
                {
                    "name": v.name.split(":")[0],
                    "shape": [int(d) for d in v.shape.as_list()],
                    "trainable": id(v) in trainable,
                }
                for v in variables
            ]

    entries = [{**entry, "module": entry["before"]} for entry in manifest]
    return selection.run_cases("selection_tf1", entries, describe, ("module",))


if __name__ == "__main__":
    sys.exit(common.main("selection_tf1", run, sys.argv, manifest_for=selection.manifest))
