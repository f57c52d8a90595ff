"""The legacy worker: one process runs all the old code of a run, Keras 2 then TF1.

Old Keras 2 layers and old TF1 graph functions both need tf-keras
(``TF_USE_LEGACY_KERAS=1`` before TensorFlow is imported), but TF1 code also needs
``disable_v2_behavior()``, which is process-wide and cannot be undone once a graph
exists. So this process starts in eager mode, runs every Keras 2 job first
(:class:`~migrate_tf.harness.workers.keras2.Keras2Side`), and switches to graph mode
for good at its first TF1 job (:class:`~migrate_tf.harness.workers.tf1.TF1Side`).
The parent sends the Keras 2 jobs of a run before its TF1 jobs, and starts a fresh
process when a later run brings Keras 2 jobs to a process that has switched.

At the switch, the user's modules imported by the Keras 2 jobs are forgotten: under
TF1, ``import tensorflow`` in the user's files means ``tensorflow.compat.v1``, so a
sibling module imported earlier (bound to TensorFlow 2) must be imported again, as
it would be in a process of its own. Everything else a TF1 job sees is its own: a
new graph with its own seed, a new session.
"""

from __future__ import annotations

import sys

from migrate_tf.harness.workers import common
from migrate_tf.harness.workers.keras2 import Keras2Side
from migrate_tf.harness.workers.protocol import serve

common.quiet_tensorflow_environment(legacy_keras=True)

SIDE = "legacy"


class SwitchedToGraphMode(RuntimeError):
    """A Keras 2 job reached a process that already runs TF1 graph code."""


class LegacySide:
    def __init__(self) -> None:
        self.keras2 = Keras2Side()
        self.tf1 = None
        self._modules_at_start = frozenset(sys.modules)

    def versions(self) -> dict:
        return {**self.keras2.versions(), "tf1_mode": "compat.v1 graph"}

    def for_job(self, job: dict):
        if job.get("side") == "tf1":
            if self.tf1 is None:
                self._switch_to_graph_mode()
            return self.tf1
        if self.tf1 is not None:
            raise SwitchedToGraphMode(
                "this process already runs TF1 graph code; Keras 2 jobs need a new one"
            )
        return self.keras2

    def _switch_to_graph_mode(self) -> None:
        from migrate_tf.harness.workers.tf1 import TF1Side

        self.keras2.tf_keras.backend.clear_session()
        common.forget_user_modules(self.keras2.loader.roots, keep=self._modules_at_start)
        self.tf1 = TF1Side()


def main(argv=None) -> int:
    return serve(SIDE, LegacySide, argv)


if __name__ == "__main__":
    sys.exit(main())
