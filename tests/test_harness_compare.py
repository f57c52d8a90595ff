"""The comparisons and the report of the verify harness, on hand-made records.

Each comparison must be able to fail: every test here breaks one thing in an otherwise
equal pair of records and checks that the right category, and only it, complains.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from migrate_tf.harness import compare
from migrate_tf.harness.plan import Check, Unit
from migrate_tf.harness.report import detail_lines, json_report, markdown_report, summary_line, table_lines
from migrate_tf.harness.verify import Options, Row, VerifyResult
from migrate_tf.rules.base import Conversion


def _output(values, shape=None, path=""):
    return {"path": path, "shape": shape or [len(values)], "dtype": "float32", "values": values}


def _record() -> dict:
    return {
        "variables": {
            "dense/w": {"shape": [4, 2], "dtype": "float32", "trainable": True,
                        "deterministic": False,
                        "pooled": {"n": 4096, "mean": 0.0, "std": 1.0, "min": -4, "max": 4}},
            "dense/b": {"shape": [2], "dtype": "float32", "trainable": True,
                        "deterministic": True, "initial": [0.0, 0.0],
                        "pooled": {"n": 2, "mean": 0.0, "std": 0.0, "min": 0, "max": 0}},
        },
        "per_call": [["dense/b", "dense/w"], ["dense/b", "dense/w"]],
        "same_objects": True,
        "duplicates": [],
        "first_outputs": [[_output([1.0, 2.0])], [_output([3.0, 4.0])]],
        "outputs": [[_output([0.5, -0.25])], [_output([0.125, 1.0])]],
        "regularization": {"count": 1, "sum": 0.3},
        "constraints": {},
    }


def _categories(old, new, kind="function-to-layer"):
    result = compare.compare_records(old, new, kind)
    return sorted({p.category for p in result.problems}), result


def test_equal_records_pass():
    categories, result = _categories(_record(), _record())
    assert categories == [] and result.passed
    assert (result.old_count, result.new_count, result.mismatches) == (2, 2, 0)
    assert result.max_difference == 0.0
    assert result.initializers == "ok"


def test_a_missing_variable():
    new = _record()
    del new["variables"]["dense/b"]
    categories, result = _categories(_record(), new)
    assert categories == ["variables"]
    assert "missing in the new code: dense/b" in str(result.first_problem())
    assert result.mismatches == 1


def test_a_wrong_shape_dtype_and_trainable_flag():
    new = _record()
    new["variables"]["dense/b"].update(shape=[1], dtype="float64", trainable=False)
    categories, result = _categories(_record(), new)
    assert categories == ["variables"]
    assert str(result.first_problem()) == (
        "variables: dense/b: shape [2] -> [1], dtype 'float32' -> 'float64', trainable True -> False"
    )


def test_a_changed_random_initializer():
    new = _record()
    new["variables"]["dense/w"]["pooled"]["std"] = 0.05
    categories, result = _categories(_record(), new)
    assert categories == ["initializers"]
    assert result.initializers == "FAIL"
    assert "dense/w: initial std 0.05 in the new code, 1 in the old" in str(result.first_problem())


def test_a_small_sampling_difference_passes():
    new = _record()
    new["variables"]["dense/w"]["pooled"].update(mean=0.02, std=0.98)  # within 5 standard errors
    assert _categories(_record(), new)[0] == []


def test_a_changed_constant():
    new = _record()
    new["variables"]["dense/b"]["initial"] = [0.0, 0.1]
    assert _categories(_record(), new)[0] == ["initializers"]


def test_a_halved_regularizer():
    new = _record()
    new["regularization"]["sum"] = 0.15
    categories, result = _categories(_record(), new)
    assert categories == ["regularization"]
    assert "(ratio 0.5)" in str(result.first_problem())


def test_a_lost_regularizer():
    new = _record()
    new["regularization"] = {"count": 0, "sum": 0.0}
    assert _categories(_record(), new)[0] == ["regularization"]


def test_a_wrong_output():
    new = _record()
    new["outputs"][1][0]["values"] = [0.125, 1.5]
    categories, result = _categories(_record(), new)
    assert categories == ["outputs"]
    assert result.max_difference == pytest.approx(0.5)
    assert "call 2: differ by up to 0.5" in str(result.first_problem())


def test_outputs_within_tolerance_pass_and_report_the_difference():
    new = _record()
    new["outputs"][0][0]["values"] = [0.5 + 1e-6, -0.25]
    categories, result = _categories(_record(), new)
    assert categories == []
    assert result.max_difference == pytest.approx(1e-6)


def test_output_structures_must_match():
    new = _record()
    new["outputs"][0] = [_output([0.5], path="[0]"), _output([-0.25], path="[1]")]
    assert _categories(_record(), new)[0] == ["outputs"]


def test_an_unshared_reused_scope():
    new = _record()
    new["duplicates"] = ["dense/w"]
    new["weight_count"] = 3
    categories, result = _categories(_record(), new)
    assert categories == ["sharing"]
    assert "held by more than one weight" in str(result.first_problem())
    assert (result.new_count, result.mismatches) == (3, 1)


def test_variables_made_again_on_a_later_call():
    new = _record()
    new["per_call"][1] = ["dense/b", "dense/w", "dense_1/w"]
    categories, result = _categories(_record(), new)
    assert categories == ["sharing"]
    assert "call 2 of the new code changed its variables (new: dense_1/w)" in str(result.first_problem())


def test_old_code_that_cannot_be_called_twice_is_compared_on_one_call():
    old = _record()
    old["reuse_failed"] = "Variable dense_1/w does not exist"
    for key in ("outputs", "first_outputs", "per_call"):
        old[key] = old[key][:1]
    assert _categories(old, _record())[0] == []


def test_layer_classes_must_track_every_variable():
    old, new = _record(), _record()
    for record in (old, new):
        record["trainable_count"], record["non_trainable_count"] = 2, 0
    new["variables"]["dense/w"]["raw"] = True
    new["trainable_count"] = 1
    categories, _ = _categories(old, new, kind="layer-class")
    assert categories == ["tracking"]


def test_constraints_are_compared():
    old, new = _record(), _record()
    old["constraints"] = {"dense/w": [1.0, 0.5]}
    new["constraints"] = {"dense/w": [1.0, 0.25]}
    assert _categories(old, new)[0] == ["constraints"]
    del new["constraints"]["dense/w"]
    assert _categories(old, new)[0] == ["constraints"]


def test_the_first_problem_follows_the_category_order():
    new = _record()
    new["regularization"]["sum"] = 1.0
    del new["variables"]["dense/b"]
    _, result = _categories(_record(), new)
    assert result.first_problem().category == "variables"


# The report ---------------------------------------------------------------------------


def _rows() -> VerifyResult:
    unit = Unit("model.py", Path("model.py"), Path("new.py"), "", [])
    passing = Conversion("MTF101", "function-to-layer", "dense", "Dense", 3)
    failing = Conversion("MTF201", "layer-class", "Scale", "Scale", 12)
    missing = Conversion("MTF101", "function-to-layer", "gate", "Gate", 20)
    new = _record()
    new["regularization"]["sum"] = 0.15
    failed = compare.compare_records(_record(), new, "layer-class")
    check = Check(unit, missing, unverified="needs a case for x", suggestion=["[gate]", 'x = "float32[2, 8]"'])
    return VerifyResult(
        rows=[
            Row(Check(unit, passing), "pass", "", compare.compare_records(_record(), _record(), "function-to-layer")),
            Row(Check(unit, failing), "FAIL", str(failed.first_problem()), failed,
                [str(p) for p in failed.problems]),
            Row(check, "unverified", "needs a case for x", details=["add to x.toml:", "    [gate]"]),
        ],
        scanned=4,
        seconds=12.5,
    )


def test_table_rows_and_summary():
    result = _rows()
    lines = table_lines(result.rows)
    assert lines[0].split() == ["conversion", "variables", "max", "|diff|", "init", "verdict"]
    assert lines[1].split() == ["model.py:3", "dense", "->", "Dense", "2/2/0", "0", "ok", "pass"]
    assert "FAIL: regularization: the losses sum to 0.15 in the new code, 0.3 in the old" in lines[2]
    assert lines[3].endswith("unverified: needs a case for x")
    assert summary_line(result) == (
        "3 conversions in 1 file (4 scanned): 1 pass, 1 FAIL, 1 unverified "
        "(0 TensorFlow processes, 12.5 s)"
    )
    details = detail_lines(result.rows)
    assert "model.py:20 gate -> Gate: unverified: needs a case for x" in details
    assert "      [gate]" in details


def test_json_and_markdown_reports():
    result = _rows()
    data = json_report(result, paths=["model.py"], options=Options())
    json.dumps(data)
    assert data["summary"] == {
        "conversions": 3, "pass": 1, "fail": 1, "unverified": 1, "scanned": 4, "errors": 0,
        "seconds": 12.5, "tensorflow_processes": 0,
    }
    assert [row["verdict"] for row in data["rows"]] == ["pass", "FAIL", "unverified"]
    assert data["rows"][1]["problems"][0]["category"] == "regularization"
    assert data["rows"][2]["suggestion"] == ["[gate]", 'x = "float32[2, 8]"']
    assert data["options"]["atol"] == 1e-5 and data["options"]["rtol"] == 1e-6
    text = markdown_report(result, paths=["model.py"])
    assert "| model.py:12 Scale | 2/2/0 |" in text
    assert "### Details" in text


def test_records_are_not_modified():
    old, new = _record(), _record()
    before = copy.deepcopy((old, new))
    compare.compare_records(old, new, "function-to-layer")
    assert (old, new) == before
