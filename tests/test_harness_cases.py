"""The verify harness without TensorFlow: cases files, inference, planning.

Nothing here starts a worker process; these tests read and plan only.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from migrate_tf.config import Settings
from migrate_tf.harness.cases import (
    CasesError,
    CasesFinder,
    TensorSpec,
    encode_value,
    parse_tensor_spec,
    read_cases_file,
)
from migrate_tf.harness.inference import Inference, module_function
from migrate_tf.harness.plan import module_identity, plan_unit
from migrate_tf.harness.verify import Workspace, migrate_file, unit_of
from migrate_tf.rules import all_rules


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


# Tensor specs and values -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("float32[4, 16]", TensorSpec("float32", (4, 16))),
        (" int32[2,3,4] ", TensorSpec("int32", (2, 3, 4))),
        ("float64[]", TensorSpec("float64", ())),
        ("bool[5]", TensorSpec("bool", (5,))),
    ],
)
def test_tensor_specs(text, expected):
    assert parse_tensor_spec(text) == expected


@pytest.mark.parametrize("text", ["float32", "float32[4, x]", "tensor[3]", "fc1", 3, None])
def test_not_tensor_specs(text):
    assert parse_tensor_spec(text) is None


def test_values_are_encoded_for_the_workers():
    assert encode_value("float32[2, 3]") == {"__tensor__": "float32[2, 3]"}
    assert encode_value({"hidden": 4, "names": ["a"]}) == {"__hparams__": {"hidden": 4, "names": ["a"]}}
    assert encode_value("fc1") == "fc1"
    assert encode_value(0.5) == 0.5


# Cases files ---------------------------------------------------------------------------


def test_cases_file_tables_and_arrays_of_tables(tmp_path):
    path = _write(
        tmp_path / "migrate-tf.cases.toml",
        """
        [dense]
        x = "float32[4, 16]"
        units = 8

        [[gate]]
        x = "float32[2, 4]"
        [[gate]]
        x = "float32[3, 4]"
        """,
    )
    table = read_cases_file(path)
    assert table.entries["dense"][0].values == {"x": "float32[4, 16]", "units": 8}
    assert [case.number for case in table.entries["gate"]] == [1, 2]
    assert table.entries["dense"][0].number == 0


def test_qualified_names_win_over_plain_ones(tmp_path):
    _write(
        tmp_path / "migrate-tf.cases.toml",
        """
        [dense]
        units = 1

        ["pkg/model.py:dense"]
        units = 2
        """,
    )
    model = _write(tmp_path / "pkg" / "model.py", "")
    other = _write(tmp_path / "pkg" / "other.py", "")
    finder = CasesFinder()
    assert finder.lookup("dense", model)[0].values == {"units": 2}
    assert finder.lookup("dense", other)[0].values == {"units": 1}
    assert finder.lookup("missing", model) is None


def test_nearest_cases_file_then_pyproject_table(tmp_path):
    _write(
        tmp_path / "pyproject.toml",
        """
        [tool.migrate-tf]
        [tool.migrate-tf.cases.dense]
        units = 3
        [tool.migrate-tf.cases.conv]
        filters = 5
        """,
    )
    _write(tmp_path / "sub" / "migrate-tf.cases.toml", "[dense]\nunits = 4\n")
    model = _write(tmp_path / "sub" / "deep" / "model.py", "")
    finder = CasesFinder()
    assert finder.lookup("dense", model)[0].values == {"units": 4}
    assert finder.lookup("conv", model)[0].values == {"filters": 5}
    assert finder.suggestion_file(model) == tmp_path / "sub" / "migrate-tf.cases.toml"


def test_explicit_cases_file_is_the_only_one(tmp_path):
    _write(tmp_path / "migrate-tf.cases.toml", "[dense]\nunits = 4\n")
    explicit = _write(tmp_path / "other.toml", "[conv]\nfilters = 2\n")
    model = _write(tmp_path / "model.py", "")
    finder = CasesFinder(explicit)
    assert finder.lookup("dense", model) is None
    assert finder.lookup("conv", model)[0].values == {"filters": 2}
    assert finder.suggestion_file(model) == explicit


@pytest.mark.parametrize(
    "text, message",
    [
        ("[dense]\nx = 1979-05-27\n", "cannot be passed"),
        ('["not a name"]\nx = 1\n', "named after a function or class"),
        ("dense = 3\n", "must be a table"),
        ("[dense\n", "cannot read"),
    ],
)
def test_bad_cases_files_are_usage_errors(tmp_path, text, message):
    path = tmp_path / "migrate-tf.cases.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CasesError, match=message):
        read_cases_file(path)


# Inference ------------------------------------------------------------------------------

INFERENCE_SOURCE = '''
import tensorflow as tf

def conv(x, filters, scope="conv"):
    with tf.variable_scope(scope):
        k = tf.get_variable("k", [3, 3, x.get_shape()[-1], filters])
        return tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME")

def tower(images, scope="tower"):
    with tf.variable_scope(scope):
        h = tf.nn.relu(images)
        return conv(h, 4)

def embed(ids, vocab, dim, scope="embed"):
    with tf.variable_scope(scope):
        table = tf.get_variable("table", [vocab, dim])
        return tf.nn.embedding_lookup(table, ids)

def pooled(x, scope="pooled"):
    with tf.variable_scope(scope):
        v = tf.get_variable("v", [1])
        return tf.reduce_mean(x, axis=2) * v

def scale(x, factor, scope="scale"):
    with tf.variable_scope(scope):
        v = tf.get_variable("v", [3])
        return x * v * factor

def shape_helper(x):
    return x

def wrapped(x, scope="wrapped"):
    with tf.variable_scope(scope):
        v = tf.get_variable("v", [3, 3])
        return tf.matmul(shape_helper(x), v)

def conv1d(x, nf, scope="conv1d"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [nf])
        return x * w

def uses_conv1d(x, scope="uses"):
    with tf.variable_scope(scope):
        return conv1d(x, 3)
'''


@pytest.fixture(scope="module")
def inference():
    tree = ast.parse(INFERENCE_SOURCE)
    return tree, Inference(tree)


@pytest.mark.parametrize(
    "function, param, spec",
    [
        ("conv", "x", "float32[2, 8, 8, 8]"),  # conv2d: rank 4
        ("tower", "images", "float32[2, 8, 8, 8]"),  # through relu and conv()
        ("embed", "ids", "int32[2, 8]"),  # ids of embedding_lookup
        ("pooled", "x", "float32[2, 8, 8]"),  # axis=2: rank >= 3
        ("scale", "x", None),  # nothing says
        ("wrapped", "x", "float32[2, 8]"),  # shape_helper gives x back: matmul
        ("uses_conv1d", "x", None),  # the module's conv1d is not tf.nn.conv1d
    ],
)
def test_tensor_rank_inference(inference, function, param, spec):
    tree, infer = inference
    found = infer.tensor(module_function(tree, function), param)
    assert (str(found[0]) if found else None) == spec


@pytest.mark.parametrize(
    "function, param, value",
    [("conv", "filters", 8), ("embed", "vocab", 8), ("embed", "dim", 8), ("scale", "factor", None)],
)
def test_dimension_inference(inference, function, param, value):
    tree, infer = inference
    found = infer.dimension(module_function(tree, function), param)
    assert (found[0] if found else None) == value


# Planning ---------------------------------------------------------------------------------


def _plan(tmp_path: Path, source: str, cases: str | None = None):
    model = _write(tmp_path / "model.py", source)
    if cases is not None:
        _write(tmp_path / "migrate-tf.cases.toml", cases)
    migrated = migrate_file(str(model), rules=all_rules(), settings=Settings())
    assert migrated.conversions, migrated.error
    with Workspace() as workspace:
        unit = unit_of(migrated, workspace, None)
        return {check.conversion.old: check for check in plan_unit(unit, CasesFinder())}


SCALE = '''
import tensorflow as tf

def scale(x, alpha, scope="scale"):
    with tf.variable_scope(scope):
        v = tf.get_variable("v", [3])
        return tf.nn.leaky_relu(x * v, alpha=alpha)
'''


def test_unverified_names_the_missing_parameters_and_the_lines_to_add(tmp_path):
    check = _plan(tmp_path, SCALE)["scale"]
    assert check.unverified == "needs a case for x, alpha"
    assert check.old_job is None and check.new_job is None
    assert check.suggestion[0] == "[scale]"
    assert check.suggestion[1].startswith('x = "float32[2, 8]"')
    assert check.suggestion[2].startswith("alpha = ...")
    assert check.suggestion_file == tmp_path / "migrate-tf.cases.toml"


def test_a_case_turns_the_check_into_jobs(tmp_path):
    check = _plan(tmp_path, SCALE, '[scale]\nx = "float32[4, 3]"\nalpha = 0.3\nscope = "s1"\n')["scale"]
    assert check.unverified is None
    assert check.old_job["side"] == "tf1" and check.new_job["side"] == "keras3"
    assert check.old_job["args"] == {"alpha": 0.3, "scope": "s1"}
    assert check.new_job["init"] == {"alpha": 0.3, "name": "s1"}  # scope becomes name
    assert check.new_job["call_first"] == "x"
    assert check.old_job["tensors"] == check.new_job["tensors"] == {"x": "float32[4, 3]"}


def test_a_case_with_an_unknown_parameter_is_reported(tmp_path):
    check = _plan(tmp_path, SCALE, '[scale]\nx = "float32[4, 3]"\nalpha = 0.3\nunits = 3\n')["scale"]
    assert "`units`, which `scale` does not take" in check.unverified


def test_a_tensor_input_given_as_a_number_is_reported(tmp_path):
    check = _plan(tmp_path, SCALE, "[scale]\nx = 3\nalpha = 0.3\n")["scale"]
    assert "`x` is a tensor input" in check.unverified


def test_layer_class_keys_go_to_init_or_call_by_signature(tmp_path):
    source = '''
    import tensorflow as tf

    class Gain(tf.keras.layers.Layer):
        def __init__(self, size, **kwargs):
            super().__init__(**kwargs)
            self.g = tf.Variable(tf.ones([size]), name="g")

        def call(self, inputs, training=None):
            return inputs * self.g
    '''
    check = _plan(tmp_path, source, '[Gain]\nsize = 4\ninputs = "float32[2, 4]"\nname = "gain"\n')["Gain"]
    assert check.old_job["side"] == "keras2"
    assert check.old_job["init"] == {"size": 4, "name": "gain"}
    assert check.old_job["call_first"] == "inputs"
    assert check.old_job["call_args"] == {"training": False}


def test_module_identity_follows_packages(tmp_path):
    _write(tmp_path / "proj" / "pkg" / "__init__.py", "")
    _write(tmp_path / "proj" / "pkg" / "sub" / "__init__.py", "")
    module = _write(tmp_path / "proj" / "pkg" / "sub" / "mod.py", "")
    loose = _write(tmp_path / "loose.py", "")
    assert module_identity(module) == ("pkg.sub.mod", (tmp_path / "proj").resolve())
    assert module_identity(loose) == ("loose", tmp_path.resolve())
