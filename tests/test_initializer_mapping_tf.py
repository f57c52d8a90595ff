"""The initializer table checked against the installed TensorFlow and Keras 3.

Each TensorFlow initializer (or initial value) and the Keras 3 initializer we map it
to are sampled on a large tensor; constants must be equal, random ones must agree in
mean and standard deviation. This is what catches a forgotten default such as
stddev 1.0 (TF1) versus 0.05 (Keras).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import libcst as cst  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from migrate_tf.shared.imports import ImportIndex  # noqa: E402
from migrate_tf.shared.initializers import (  # noqa: E402
    keras_initializer,
    weight_from_initial_value,
)

SHAPE = (256, 128)


@pytest.fixture(autouse=True)
def fixed_seed():
    # Statistical comparisons must not be flaky: the same draws on every run.
    keras.utils.set_random_seed(1234)
    tf.compat.v1.set_random_seed(1234)
TF1_INDEX = ImportIndex.from_module(cst.parse_module("import tensorflow.compat.v1 as tf\n"))
TF2_INDEX = ImportIndex.from_module(cst.parse_module("import tensorflow as tf\n"))


def keras_values(expression: str, shape) -> np.ndarray:
    initializer = eval(expression, {"keras": keras, "tf": tf})  # noqa: S307 - our own output
    initializer = keras.initializers.get(initializer)
    return np.asarray(initializer(shape, dtype="float32"))


def assert_same_distribution(expected: np.ndarray, actual: np.ndarray) -> None:
    assert expected.shape == actual.shape
    if np.all(expected == expected.flat[0]):
        np.testing.assert_array_equal(actual, expected)
        return
    n = expected.size
    std = expected.std()
    assert abs(actual.mean() - expected.mean()) < 6 * std / np.sqrt(n) + 1e-7
    assert abs(actual.std() / std - 1) < 0.03
    # Tails tell a truncated normal from a normal and a uniform from both.
    # (At the 1% quantile a normal sits at -2.33 std, a 2-std truncated normal near
    # -2.1 and a uniform at -1.7: a tolerance of 0.15 std keeps them apart.)
    for quantile in (0.01, 0.99):
        assert abs(np.quantile(actual, quantile) - np.quantile(expected, quantile)) < 0.15 * std


TF1_INITIALIZERS = [
    "tf.zeros_initializer()",
    "tf.ones_initializer()",
    "tf.constant_initializer(0.25)",
    "tf.random_normal_initializer()",
    "tf.random_normal_initializer(mean=0.5, stddev=0.02)",
    "tf.truncated_normal_initializer()",
    "tf.truncated_normal_initializer(stddev=0.1)",
    "tf.random_uniform_initializer()",
    "tf.random_uniform_initializer(-0.2, 0.3)",
    "tf.glorot_uniform_initializer()",
    "tf.glorot_normal_initializer()",
    "tf.variance_scaling_initializer()",
    "tf.variance_scaling_initializer(scale=2.0, mode='fan_avg', distribution='uniform')",
    "tf.variance_scaling_initializer(scale=2.0, mode='fan_out', distribution='normal')",
    "tf.orthogonal_initializer()",
]

TF2_INITIALIZERS = [
    "tf.random_normal_initializer()",
    "tf.random_uniform_initializer()",
    "tf.constant_initializer(3.0)",
]


@pytest.mark.parametrize("expression", TF1_INITIALIZERS)
def test_tf1_initializer_maps_to_the_same_distribution(expression):
    reference = eval(expression, {"tf": tf.compat.v1})  # noqa: S307
    expected = np.asarray(reference(SHAPE, dtype=tf.float32))
    mapped = keras_initializer(cst.parse_expression(expression), TF1_INDEX, "keras")
    if "orthogonal" in expression.lower():
        actual = keras_values(mapped, SHAPE)
        np.testing.assert_allclose(actual.T @ actual, np.eye(SHAPE[1]), atol=1e-4)
        return
    assert_same_distribution(expected, keras_values(mapped, SHAPE))


@pytest.mark.parametrize("expression", TF2_INITIALIZERS)
def test_tf2_initializer_maps_to_the_same_distribution(expression):
    reference = eval(expression, {"tf": tf})  # noqa: S307
    expected = np.asarray(reference(SHAPE, dtype=tf.float32))
    mapped = keras_initializer(cst.parse_expression(expression), TF2_INDEX, "keras")
    assert_same_distribution(expected, keras_values(mapped, SHAPE))


INITIAL_VALUES = [
    ("tf.random.normal([256, 128])", TF2_INDEX, tf),
    ("tf.random.normal([256, 128], mean=2.0, stddev=0.5)", TF2_INDEX, tf),
    ("tf.random.uniform([256, 128])", TF2_INDEX, tf),
    ("tf.random.uniform([256, 128], -3.0, 3.0)", TF2_INDEX, tf),
    ("tf.random.truncated_normal([256, 128])", TF2_INDEX, tf),
    ("tf.random_normal([256, 128])", TF1_INDEX, tf.compat.v1),
    ("tf.truncated_normal([256, 128], stddev=0.3)", TF1_INDEX, tf.compat.v1),
    ("tf.fill([256, 128], 0.75)", TF2_INDEX, tf),
    ("tf.zeros([256, 128])", TF2_INDEX, tf),
]


@pytest.mark.parametrize("expression, index, module", INITIAL_VALUES, ids=[v[0] for v in INITIAL_VALUES])
def test_initial_value_maps_to_the_same_distribution(expression, index, module):
    expected = np.asarray(eval(expression, {"tf": module}))  # noqa: S307
    weight = weight_from_initial_value(cst.parse_expression(expression), index, "keras")
    shape = tuple(eval(weight.shape))  # noqa: S307 - literal shapes in these cases
    assert_same_distribution(expected, keras_values(weight.initializer, shape))


CONTRIB_INDEX = ImportIndex.from_module(
    cst.parse_module("import tensorflow as tf\nx = tf.contrib.layers\n")
)


def contrib_variance_scaling(shape, factor=2.0, mode="FAN_IN", uniform=False):
    """tf.contrib.layers.variance_scaling_initializer as TF 1.15 defined it (contrib
    is gone from TensorFlow 2): the reference the mapping must reproduce."""
    fan_in, fan_out = float(np.prod(shape[:-1])), float(shape[-1])
    n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2}[mode]
    if uniform:
        limit = np.sqrt(3.0 * factor / n)
        return np.asarray(tf.random.uniform(shape, -limit, limit))
    return np.asarray(tf.random.truncated_normal(shape, stddev=np.sqrt(1.3 * factor / n)))


@pytest.mark.parametrize(
    "expression, reference",
    [
        ("tf.contrib.layers.variance_scaling_initializer()", {}),
        ("tf.contrib.layers.variance_scaling_initializer(factor=1.0, mode='FAN_AVG')", {"factor": 1.0, "mode": "FAN_AVG"}),
        ("tf.contrib.layers.variance_scaling_initializer(1.0, 'FAN_IN', True)", {"factor": 1.0, "uniform": True}),
        ("tf.contrib.layers.xavier_initializer(uniform=False)", {"factor": 1.0, "mode": "FAN_AVG"}),
        ("tf.contrib.layers.xavier_initializer()", {"factor": 1.0, "mode": "FAN_AVG", "uniform": True}),
    ],
)
def test_contrib_initializer_maps_to_the_same_distribution(expression, reference):
    expected = contrib_variance_scaling(SHAPE, **reference)
    mapped = keras_initializer(cst.parse_expression(expression), CONTRIB_INDEX, "keras")
    assert_same_distribution(expected, keras_values(mapped, SHAPE))


def test_uniform_unit_scaling_maps_for_matrices_and_is_refused_for_vectors():
    expression = cst.parse_expression("tf.uniform_unit_scaling_initializer(factor=1.5)")
    expected = np.asarray(tf.compat.v1.uniform_unit_scaling_initializer(factor=1.5)(SHAPE))
    mapped = keras_initializer(expression, TF1_INDEX, "keras", rank=2)
    assert_same_distribution(expected, keras_values(mapped, SHAPE))
    from migrate_tf.shared.initializers import Refusal

    with pytest.raises(Refusal):
        keras_initializer(expression, TF1_INDEX, "keras", rank=1)
    with pytest.raises(Refusal):
        keras_initializer(expression, TF1_INDEX, "keras")
