"""TF1 side of the MTF1xx runtime check: calls the functions of before.py in a TF1 graph.

TF1 code runs on TensorFlow 2 through ``tensorflow.compat.v1`` with
``disable_v2_behavior()`` (graph mode, ``variable_scope`` / ``get_variable``);
``tf.layers`` additionally needs tf_keras, hence ``TF_USE_LEGACY_KERAS=1`` before
TensorFlow is imported. before.py is imported with the name ``tensorflow`` bound to
``tensorflow.compat.v1`` (its source is not touched), so code written as
``import tensorflow as tf`` + ``tf.get_variable`` runs as it did under TF 1.x.

``tf.contrib`` is gone from TensorFlow 2; the few ``tf.contrib.layers`` functions
TF1 code used with ``get_variable`` are provided here, as TF 1.15 defined them
(:func:`install_contrib_layers`).

For each ``[[function]]`` of case.toml, in a new graph with graph seed 1:

1. the function is called ``calls`` times on placeholders fed with the fixed inputs
   (later calls with ``reuse=True`` when the function has a ``reuse`` parameter, and
   inside ``variable_scope(get_variable_scope(), reuse=True)`` when the case says
   ``reuse_scope = true``); training flags (``training``, ``is_training``) are False;
2. every global variable is recorded: name without ``:0``, shape, dtype, trainable
   (in ``TRAINABLE_VARIABLES``), and the set of names after each call;
3. ``global_variables_initializer`` runs; its values are the initial values, and
   running it again draws new values for random initializers (pooled statistics);
4. every variable is loaded with ``scoped.known_value`` of its name, then the outputs,
   the ``REGULARIZATION_LOSSES`` and each variable's constraint are evaluated.

Usage: ``python tf1_side.py [MANIFEST.json] [OUT.json]`` (see common.main).
"""

from __future__ import annotations

import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import contextlib  # noqa: E402
import inspect  # noqa: E402
import numbers  # noqa: E402
import types  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import common  # noqa: E402
import scoped  # noqa: E402

SIDE = "tf1"


def install_contrib_layers(v1) -> None:
    """``tf.contrib.layers.{l1,l2}_regularizer`` and ``xavier_initializer`` as in TF 1.15.

    ``l2_regularizer(scale)(w) = scale * tf.nn.l2_loss(w) = scale * sum(w ** 2) / 2``;
    ``l1_regularizer(scale)(w) = scale * sum(|w|)``; ``xavier_initializer()`` is the
    Glorot uniform initializer (``uniform=False``, a truncated normal with a factor
    1.3 that no other initializer shares, is not provided).
    """

    def check_scale(scale):
        if isinstance(scale, numbers.Integral):
            raise ValueError(f"scale cannot be an integer: {scale}")
        if isinstance(scale, numbers.Real) and scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale}")

    def l2_regularizer(scale, scope=None):
        check_scale(scale)
        if isinstance(scale, numbers.Real) and scale == 0.0:
            return lambda _: None

        def l2(weights):
            with v1.name_scope(scope, "l2_regularizer", [weights]) as name:
                my_scale = v1.convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
                return v1.multiply(my_scale, v1.nn.l2_loss(weights), name=name)

        return l2

    def l1_regularizer(scale, scope=None):
        check_scale(scale)
        if isinstance(scale, numbers.Real) and scale == 0.0:
            return lambda _: None

        def l1(weights):
            with v1.name_scope(scope, "l1_regularizer", [weights]) as name:
                my_scale = v1.convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
                return v1.multiply(my_scale, v1.reduce_sum(v1.abs(weights)), name=name)

        return l1

    def xavier_initializer(uniform=True, seed=None, dtype=v1.float32):
        if not uniform:
            raise NotImplementedError("xavier_initializer(uniform=False) is not provided")
        return v1.glorot_uniform_initializer(seed=seed, dtype=dtype)

    layers = types.SimpleNamespace(
        l1_regularizer=l1_regularizer,
        l2_regularizer=l2_regularizer,
        xavier_initializer=xavier_initializer,
        xavier_initializer_conv2d=xavier_initializer,
    )
    v1.contrib = types.SimpleNamespace(layers=layers)


class Array:
    """The ``common.flatten_outputs`` backend for values ``Session.run`` returned."""

    @staticmethod
    def to_numpy(value):
        return np.asarray(value)


def strip(name: str) -> str:
    return name[:-2] if name.endswith(":0") else name


class TF1Side:
    def __init__(self):
        import tensorflow as real_tf
        import tensorflow.compat.v1 as v1

        v1.disable_v2_behavior()
        v1.logging.set_verbosity(v1.logging.ERROR)
        install_contrib_layers(v1)
        self.real_tf = real_tf
        self.tf = v1

    def load(self, path: Path, unique_name: str):
        """Import before.py with ``import tensorflow`` giving ``tensorflow.compat.v1``."""
        saved = sys.modules["tensorflow"]
        sys.modules["tensorflow"] = self.tf
        try:
            return common.load_module(path, unique_name)
        finally:
            sys.modules["tensorflow"] = saved

    def run_function(self, module, spec: dict, seed: int = 1) -> dict:
        tf = self.tf
        fn = scoped.member(module, spec["name"], "function")
        parameters = inspect.signature(fn).parameters
        args = dict(spec["args"])
        args.update(scoped.function_flags(parameters, args))
        record = scoped.empty_record(spec)

        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(seed)
            feed, outputs = {}, []
            for call in range(spec["calls"]):
                tensors = {}
                for name, array in scoped.call_inputs(spec, call).items():
                    placeholder = tf.placeholder(
                        tf.as_dtype(array.dtype), array.shape, name=f"input_{name}_{call}"
                    )
                    feed[placeholder] = array
                    tensors[name] = placeholder
                kwargs = {**args, **tensors}
                context = contextlib.nullcontext()
                if call > 0:
                    if "reuse" in parameters and "reuse" not in spec["args"]:
                        kwargs["reuse"] = True
                    if spec["reuse_scope"]:
                        context = tf.variable_scope(tf.get_variable_scope(), reuse=True)
                with context:
                    outputs.append(fn(**kwargs))
                record["per_call"].append(sorted(strip(v.name) for v in tf.global_variables()))

            variables = tf.global_variables()
            trainable = {v.name for v in tf.trainable_variables()}
            names = [strip(v.name) for v in variables]
            record["duplicates"] = sorted({n for n in names if names.count(n) > 1})
            known = {}
            for name, variable in zip(names, variables):
                entry = {
                    "shape": [int(d) for d in variable.shape.as_list()],
                    "dtype": variable.dtype.base_dtype.name,
                    "trainable": variable.name in trainable,
                }
                record["variables"][name] = entry
                known[name] = scoped.known_value(name, tuple(entry["shape"]), entry["dtype"])
            regularization = tf.losses.get_regularization_losses()
            constrained = {
                name: variable.constraint(tf.constant(known[name]))
                for name, variable in zip(names, variables)
                if variable.constraint is not None
            }
            initialize = tf.global_variables_initializer()

        with tf.Session(graph=graph) as session:
            session.run(initialize)
            draws = {name: [value] for name, value in zip(names, session.run(variables))}
            record["first_outputs"] = [
                common.flatten_outputs(Array, value) for value in session.run(outputs, feed)
            ]
            session.run(initialize)
            for name, value in zip(names, session.run(variables)):
                draws[name].append(value)
            random = [n for n in names if not np.array_equal(draws[n][0], draws[n][1])]
            sizes = [draws[n][0].size for n in random]
            random_variables = [v for n, v in zip(names, variables) if n in random]
            for _ in range(2, scoped.draws_needed(SIDE, sizes)):
                session.run(initialize)
                for name, value in zip(random, session.run(random_variables)):
                    draws[name].append(value)
            for name in names:
                scoped.describe_initial(record, name, draws[name])

            for name, variable in zip(names, variables):
                variable.load(known[name], session)
            record["outputs"] = [
                common.flatten_outputs(Array, value) for value in session.run(outputs, feed)
            ]
            losses = session.run(regularization) if regularization else []
            record["regularization"] = {
                "count": len(losses),
                "sum": float(sum(np.asarray(loss, dtype=np.float64) for loss in losses)),
            }
            for name, value in session.run(constrained).items():
                record["constraints"][name] = np.asarray(value, np.float64).ravel().tolist()
        return record


def run(manifest):
    side = TF1Side()
    return scoped.run_cases(SIDE, side.run_function, manifest, side.load)


if __name__ == "__main__":
    sys.exit(common.main(SIDE, run, sys.argv, manifest_for=scoped.manifest))
