"""The worker processes of ``migrate-tf verify``: two per run, whatever the number of jobs.

``python -m migrate_tf.harness.workers.legacy`` runs all the old code: Keras 2 layers
first (tf-keras, ``import keras`` aliased to it; :mod:`.keras2`), then TF1 graph code
(``tensorflow.compat.v1`` with v2 behaviour disabled, tf-keras for ``tf.layers``;
:mod:`.tf1`), switching to graph mode once, for good. ``...workers.keras3`` runs the
new Keras 3 code. The Keras version is fixed per process when TensorFlow is imported,
hence two entry points.

The parent (:mod:`migrate_tf.harness.processes`) talks to a worker over two pipes of
its own (JSON lines), never over stdout: user code may print. See
:mod:`migrate_tf.harness.workers.protocol` for the loop and the limits.
Only these modules import TensorFlow, and only inside the worker processes.
"""
