"""The worker processes of ``migrate-tf verify``: one per side, all jobs of a run.

``python -m migrate_tf.harness.workers.tf1`` runs old TF1 graph code
(``tensorflow.compat.v1`` with v2 behaviour disabled, tf-keras for ``tf.layers``),
``...workers.keras2`` old Keras 2 layers (tf-keras, ``import keras`` aliased to it),
``...workers.keras3`` the new Keras 3 code. The Keras version and graph mode are
fixed per process when TensorFlow is imported, hence three entry points.

The parent (:mod:`migrate_tf.harness.processes`) talks to a worker over two pipes of
its own (JSON lines), never over stdout: user code may print. See
:mod:`migrate_tf.harness.workers.protocol` for the loop and the limits.
Only these modules import TensorFlow, and only inside the worker processes.
"""
