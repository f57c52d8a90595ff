"""Initial values and initializers map to Keras 3 with TensorFlow's defaults kept."""

import libcst as cst
import pytest

from migrate_tf.shared.imports import ImportIndex
from migrate_tf.shared.initializers import (
    InitialWeight,
    Refusal,
    keras_initializer,
    weight_from_initial_value,
)

TF2 = ImportIndex.from_module(cst.parse_module("import tensorflow as tf\nimport numpy as np\n"))
TF1 = ImportIndex.from_module(cst.parse_module("import tensorflow.compat.v1 as tf\n"))


def weight(expression: str, index=TF2) -> InitialWeight:
    return weight_from_initial_value(cst.parse_expression(expression), index, "keras")


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("tf.zeros([3, n])", InitialWeight("[3, n]", '"zeros"', None)),
        ("tf.ones((2,), dtype=tf.float64)", InitialWeight("(2,)", '"ones"', "float64")),
        ("tf.fill([2], 7)", InitialWeight("[2]", "keras.initializers.Constant(value=7)", "int32")),
        ("0", InitialWeight("()", '"zeros"', "int32")),
        ("1.0", InitialWeight("()", '"ones"', None)),
        ("2", InitialWeight("()", "keras.initializers.Constant(value=2)", "int32")),
        ("-1.5", InitialWeight("()", "keras.initializers.Constant(value=-1.5)", None)),
        ("[[1, 2], [3, 4.0]]", InitialWeight("(2, 2)", "keras.initializers.Constant(value=[[1, 2], [3, 4.0]])", None)),
        ("tf.constant([1, 2, 3])", InitialWeight("(3,)", "keras.initializers.Constant(value=[1, 2, 3])", "int32")),
        ("tf.constant(0.5, shape=[4])", InitialWeight("[4]", "keras.initializers.Constant(value=0.5)", None)),
        ("np.zeros((3, 4))", InitialWeight("(3, 4)", '"zeros"', "float64")),
        ("tf.random.normal([4, 8])", InitialWeight("[4, 8]", "keras.initializers.RandomNormal(stddev=1.0)", None)),
        ("tf.random.normal([4], mean=1.0, stddev=s)", InitialWeight("[4]", "keras.initializers.RandomNormal(mean=1.0, stddev=s)", None)),
        ("tf.random.uniform([4])", InitialWeight("[4]", "keras.initializers.RandomUniform(minval=0.0, maxval=1.0)", None)),
        ("tf.random.truncated_normal([4], stddev=0.1, seed=7)", InitialWeight("[4]", "keras.initializers.TruncatedNormal(stddev=0.1, seed=7)", None)),
        ("tf.keras.initializers.GlorotUniform()(shape=(3, 4))", InitialWeight("(3, 4)", "tf.keras.initializers.GlorotUniform()", None)),
        ("tf.zeros_initializer()([5], dtype=tf.float64)", InitialWeight("[5]", '"zeros"', "float64")),
        ("tf.random.normal([3, 4]) * 0.01", InitialWeight("[3, 4]", "lambda shape, dtype: tf.random.normal([3, 4]) * 0.01", None)),
        ("tf.eye(3)", InitialWeight("(3, 3)", "lambda shape, dtype: tf.eye(3)", None)),
    ],
)
def test_initial_values_map_to_shape_initializer_and_dtype(expression, expected):
    assert weight(expression) == expected


def test_tf1_random_normal_spelling_keeps_stddev_one():
    assert weight("tf.random_normal([2])", TF1).initializer == (
        "keras.initializers.RandomNormal(stddev=1.0)"
    )


@pytest.mark.parametrize(
    "expression",
    ["initial", "foo(3)", "tf.random.uniform([3], maxval=10, dtype=tf.int32)", "[[1, 2], [3]]", "tf.zeros(s, dtype=some_dtype)"],
)
def test_undecidable_initial_values_are_refused(expression):
    with pytest.raises(Refusal):
        weight(expression)


@pytest.mark.parametrize(
    "expression, index, expected",
    [
        ("tf.zeros_initializer()", TF2, '"zeros"'),
        ("tf.random_normal_initializer()", TF2, '"random_normal"'),
        ("tf.random_normal_initializer()", TF1, "keras.initializers.RandomNormal(stddev=1.0)"),
        ("tf.random_normal_initializer(stddev=0.02)", TF1, "keras.initializers.RandomNormal(stddev=0.02)"),
        ("tf.truncated_normal_initializer()", TF1, "keras.initializers.TruncatedNormal(stddev=1.0)"),
        ("tf.random_uniform_initializer()", TF1, "keras.initializers.RandomUniform(minval=0.0, maxval=1.0)"),
        ("tf.random_uniform_initializer(-0.1, 0.1)", TF1, "keras.initializers.RandomUniform(minval=-0.1, maxval=0.1)"),
        ("tf.random_uniform_initializer()", TF2, '"random_uniform"'),
        ("tf.constant_initializer(0.1)", TF1, "keras.initializers.Constant(value=0.1)"),
        ("tf.glorot_uniform_initializer()", TF1, '"glorot_uniform"'),
        ("tf.variance_scaling_initializer(scale=2.0, mode='FAN_AVG', distribution='normal')", TF1,
         'keras.initializers.VarianceScaling(scale=2.0, mode="fan_avg", distribution="truncated_normal")'),
        ("tf.keras.initializers.HeNormal()", TF2, "tf.keras.initializers.HeNormal()"),
        ("'glorot_uniform'", TF2, "'glorot_uniform'"),
    ],
)
def test_initializer_objects_map_with_tf_defaults(expression, index, expected):
    assert keras_initializer(cst.parse_expression(expression), index, "keras") == expected


def test_xavier_normal_maps_with_tf1_truncation_factor():
    index = ImportIndex.from_module(cst.parse_module("import tensorflow as tf\ntf.contrib\n"))
    mapped = keras_initializer(
        cst.parse_expression("tf.contrib.layers.xavier_initializer(uniform=False)"), index, "keras"
    )
    assert mapped == (
        "keras.initializers.VarianceScaling(scale=1.3 * 0.87962566103423978**2, "
        'mode="fan_avg", distribution="truncated_normal")'
    )


def test_uniform_unit_scaling_without_a_known_rank_is_refused_not_guessed():
    with pytest.raises(Refusal, match="rank"):
        keras_initializer(
            cst.parse_expression("tf.uniform_unit_scaling_initializer()"), TF1, "keras"
        )
