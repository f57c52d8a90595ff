"""The TF1 side: runs old TF1 graph functions (the old side of function-to-layer), in
the legacy worker process (:mod:`~migrate_tf.harness.workers.legacy`) once it has run
its Keras 2 jobs.

TensorFlow 1 code runs on TensorFlow 2 through ``tensorflow.compat.v1`` with
``disable_v2_behavior()`` (graph mode, ``variable_scope`` / ``get_variable``);
``tf.layers`` needs tf-keras, hence ``TF_USE_LEGACY_KERAS=1`` before TensorFlow is
imported. The user's module is imported with ``sys.modules["tensorflow"]`` bound to
``tensorflow.compat.v1`` while it runs, so ``import tensorflow as tf`` followed by
``tf.get_variable`` means what it meant under TF 1.x; its source is not touched.
``tf.contrib.layers`` regularizers and ``xavier_initializer`` (gone in TF 2) are
provided with their TF 1.15 meaning.

For one job, in a new graph with graph seed ``seed``:

1. the function is called ``calls`` times on placeholders fed with the job's
   tensors (call ``k`` from ``RandomState(k)``), the later calls inside
   ``variable_scope(get_variable_scope(), reuse=True)``: a TF1 caller sharing the
   function's variables; the global variables after each call are recorded;
2. every variable: name without ``:0``, shape, dtype, trainable;
3. ``global_variables_initializer`` gives the initial values, and re-running it
   draws new values for random initialisers (pooled statistics);
4. every variable is loaded with ``known_value`` of its name; the outputs, the
   ``REGULARIZATION_LOSSES`` and each variable's constraint are evaluated.
"""

from __future__ import annotations

import contextlib
import numbers
import sys
import types

import numpy as np

from migrate_tf.harness.workers import common

common.quiet_tensorflow_environment(legacy_keras=True)

SIDE = "tf1"


def install_contrib_layers(v1) -> None:
    """``tf.contrib.layers.{l1,l2}_regularizer`` and ``xavier_initializer`` as TF 1.15
    defined them: ``l2_regularizer(s)(w) = s * sum(w**2) / 2``, ``l1_regularizer(s)(w)
    = s * sum(|w|)``, ``xavier_initializer()`` = Glorot uniform."""

    def _check(scale):
        if isinstance(scale, numbers.Integral):
            raise ValueError(f"scale cannot be an integer: {scale}")
        if isinstance(scale, numbers.Real) and scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale}")

    def _regularizer(kind, scale, scope, body):
        _check(scale)
        if isinstance(scale, numbers.Real) and scale == 0.0:
            return lambda _weights: None

        def regularize(weights):
            with v1.name_scope(scope, kind, [weights]) as name:
                factor = v1.convert_to_tensor(scale, dtype=weights.dtype.base_dtype)
                return v1.multiply(factor, body(weights), name=name)

        return regularize

    def l2_regularizer(scale, scope=None):
        return _regularizer("l2_regularizer", scale, scope, v1.nn.l2_loss)

    def l1_regularizer(scale, scope=None):
        return _regularizer(
            "l1_regularizer", scale, scope, lambda w: v1.reduce_sum(v1.abs(w))
        )

    def xavier_initializer(uniform=True, seed=None, dtype=v1.float32):
        if not uniform:
            return v1.variance_scaling_initializer(
                factor=1.0, mode="FAN_AVG", uniform=False, seed=seed, dtype=dtype
            )
        return v1.glorot_uniform_initializer(seed=seed, dtype=dtype)

    layers = types.SimpleNamespace(
        l1_regularizer=l1_regularizer,
        l2_regularizer=l2_regularizer,
        xavier_initializer=xavier_initializer,
        xavier_initializer_conv2d=xavier_initializer,
    )
    if not hasattr(v1, "contrib"):
        v1.contrib = types.SimpleNamespace(layers=layers)


class TF1Side:
    def __init__(self) -> None:
        import tensorflow as real_tf
        import tensorflow.compat.v1 as v1

        v1.disable_v2_behavior()
        v1.logging.set_verbosity(v1.logging.ERROR)
        real_tf.get_logger().setLevel("ERROR")
        install_contrib_layers(v1)
        common.alias_keras_to_tf_keras()
        self.real_tf = real_tf
        self.tf = v1
        self.loader = common.ModuleLoader()

    def versions(self) -> dict:
        return {"tensorflow": self.real_tf.__version__, "mode": "compat.v1 graph"}

    def load(self, spec: dict):
        def with_tf1(load):
            saved = sys.modules["tensorflow"]
            sys.modules["tensorflow"] = self.tf
            try:
                return load()
            finally:
                sys.modules["tensorflow"] = saved

        return self.loader.load(spec, around=with_tf1)

    def run(self, module, job: dict) -> dict:
        if job["kind"] != "function-to-layer":
            raise ValueError(f"the TF1 side does not run {job['kind']} jobs")
        tf = self.tf
        function = getattr(module, job["function"])
        args = common.decode_all(job["args"])
        record: dict = {"per_call": [], "duplicates": [], "same_objects": True,
                        "variables": {}, "regularization": {"count": 0, "sum": 0.0},
                        "constraints": {}}
        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(job["seed"])
            feed, outputs = {}, []
            for call in range(job["calls"]):
                tensors = {}
                for name, array in common.call_tensors(job, call).items():
                    placeholder = tf.placeholder(
                        tf.as_dtype(array.dtype), array.shape, name=f"input_{name}_{call}"
                    )
                    feed[placeholder] = array
                    tensors[name] = placeholder
                context = contextlib.nullcontext()
                if call > 0:
                    context = tf.variable_scope(tf.get_variable_scope(), reuse=True)
                try:
                    with context:
                        outputs.append(function(**args, **tensors))
                except ValueError as error:
                    if call == 0 or "does not exist" not in str(error):
                        raise
                    # A scope named by default_name gets a new name on every call
                    # (dense, dense_1, ...): TF1 code cannot call it again on the same
                    # variables, so it is compared on its first call only.
                    record["reuse_failed"] = str(error).splitlines()[0]
                    break
                names_now = sorted(common.strip_suffix(v.name) for v in tf.global_variables())
                if call == 0:
                    first_losses = list(tf.losses.get_regularization_losses())
                if call > 0 and set(names_now) - set(record["per_call"][0]):
                    # tf.Variable ignores reuse: the old code makes new variables on every
                    # call, so one layer instance is equivalent to its first call only
                    grown = sorted(set(names_now) - set(record["per_call"][0]))
                    record["reuse_failed"] = (
                        f"calling it again made new variables ({', '.join(grown[:4])})"
                    )
                    outputs.pop()
                    break
                record["per_call"].append(names_now)
            first_call = set(record["per_call"][0])
            variables = [
                v for v in tf.global_variables() if common.strip_suffix(v.name) in first_call
            ]
            trainable = {v.name for v in tf.trainable_variables()}
            names = [common.strip_suffix(v.name) for v in variables]
            record["duplicates"] = sorted({n for n in names if names.count(n) > 1})
            known = {}
            for name, variable in zip(names, variables):
                entry = {
                    "shape": [int(d) for d in variable.shape.as_list()],
                    "dtype": variable.dtype.base_dtype.name,
                    "trainable": variable.name in trainable,
                }
                record["variables"][name] = entry
                known[name] = common.known_value(name, tuple(entry["shape"]), entry["dtype"])
            regularization = first_losses  # a later call under reuse adds none
            constrained = {
                name: variable.constraint(tf.constant(known[name]))
                for name, variable in zip(names, variables)
                if getattr(variable, "constraint", None) is not None
            }
            fetches = [self._fetchable(out) for out in outputs]
            initialize = tf.global_variables_initializer()

        with tf.Session(graph=graph) as session:
            session.run(initialize)
            draws = {name: [value] for name, value in zip(names, session.run(variables))}
            record["first_outputs"] = self._outputs(session, fetches, feed)
            session.run(initialize)
            for name, value in zip(names, session.run(variables)):
                draws[name].append(value)
            random = [n for n in names if not np.array_equal(draws[n][0], draws[n][1])]
            random_variables = [v for n, v in zip(names, variables) if n in random]
            count = common.draws_needed(SIDE, [draws[n][0].size for n in random])
            for _ in range(2, count):
                session.run(initialize)
                for name, value in zip(random, session.run(random_variables)):
                    draws[name].append(value)
            for name in names:
                record["variables"][name].update(common.initial_entry(draws[name]))

            for name, variable in zip(names, variables):
                variable.load(known[name], session)
            record["outputs"] = self._outputs(session, fetches, feed)
            losses = [loss for loss in regularization if loss is not None]
            values = session.run(losses) if losses else []
            record["regularization"] = {
                "count": len(values),
                "sum": float(sum(float(v) for v in values)),
            }
            for name, value in session.run(constrained).items():
                record["constraints"][name] = [float(x) for x in value.ravel()]
        return record

    def _fetchable(self, output):
        """(paths, tensors to fetch, constant leaves) of one call's output structure."""
        found = common.leaves(output)
        tensors = [(p, v) for p, v in found if isinstance(v, (self.tf.Tensor, self.tf.Variable))]
        others = [(p, v) for p, v in found if not isinstance(v, (self.tf.Tensor, self.tf.Variable))]
        return [p for p, _ in found], tensors, others

    def _outputs(self, session, fetches, feed) -> list[list[dict]]:
        results = []
        for paths, tensors, others in fetches:
            values = dict(zip([p for p, _ in tensors], session.run([t for _, t in tensors], feed)))
            values.update(others)
            results.append([common.describe_array(p, values[p]) for p in paths])
        return results
