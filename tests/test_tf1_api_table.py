"""The TF1-to-TF2 op table, checked against the installed TensorFlow.

An op is written `tf.X` in converted code only if TF2's `X` takes the same leading
positional arguments and the listed keywords as TF1's; otherwise `tf.compat.v1.X`.
A wrong entry would silently change a model, so every entry is checked here.
"""

import inspect
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from migrate_tf.shared.tf1_api import SAME_IN_TF1_AND_TF2, tf2_spelling  # noqa: E402

#: Positional parameters renamed between TF1 and TF2 without changing meaning.
SAME_MEANING = {("value", "input"), ("tensor", "input"), ("filter", "filters")}


def resolve(module, dotted):
    for part in dotted.split("."):
        module = getattr(module, part, None)
        if module is None:
            return None
    return module


@pytest.mark.parametrize("api", sorted(SAME_IN_TF1_AND_TF2))
def test_table_entry_means_the_same_in_tf1_and_tf2(api):
    limit, keywords = SAME_IN_TF1_AND_TF2[api]
    spelled = tf2_spelling(api, 0, [])
    tf1_op = resolve(tf.compat.v1, api)
    tf2_op = resolve(tf, spelled)
    assert tf1_op is not None, f"tf.compat.v1.{api} does not exist"
    assert tf2_op is not None, f"tf.{spelled} does not exist in TensorFlow 2"
    tf1_params = list(inspect.signature(tf1_op).parameters)
    tf2_params = list(inspect.signature(tf2_op).parameters)
    variadic = any(
        p.kind is inspect.Parameter.VAR_POSITIONAL
        for p in inspect.signature(tf2_op).parameters.values()
    )
    if not variadic:
        for tf1_name, tf2_name in zip(tf1_params[:limit], tf2_params[:limit]):
            assert tf1_name == tf2_name or (tf1_name, tf2_name) in SAME_MEANING, (
                f"positional parameters differ: {tf1_params[:limit]} vs {tf2_params[:limit]}"
            )
        for keyword in keywords:
            assert keyword in tf1_params and keyword in tf2_params, keyword


def test_changed_ops_are_spelled_compat_v1():
    # TF2's dropout takes `rate` where TF1's took `keep_prob` as second argument.
    assert tf2_spelling("nn.dropout", 2, []) == "compat.v1.nn.dropout"
    # `keep_dims` is gone in TF2.
    assert tf2_spelling("reduce_mean", 1, ["keep_dims"]) == "compat.v1.reduce_mean"
    # an unknown op keeps TF1's meaning
    assert tf2_spelling("nn.xw_plus_b", 3, []) == "compat.v1.nn.xw_plus_b"


def test_moved_ops_get_their_tf2_module():
    assert tf2_spelling("rsqrt", 1, []) == "math.rsqrt"
