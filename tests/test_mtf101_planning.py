"""MTF101 plans a module once unless planning again could decide differently.

A module-level initializer that code which is not converted still uses is
"blocked": the converted layers inline its Keras spelling. Blocking it changes the
planning only where a decision asked about that name (``Planner.consulted``); where
none did, the second planning MTF101 used to run would repeat the first.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import get_rule, select_rules
from migrate_tf.shared.scoped_functions import planner as planner_module

RULE = get_rule("MTF101")
GOLDEN = Path(__file__).resolve().parent.parent / "golden"

DENSE = """
    import tensorflow as tf

    weight_init = tf.truncated_normal_initializer(stddev=0.02)


    def dense(x, units, scope="dense"):
        with tf.variable_scope(scope):
            w = tf.get_variable("w", [x.get_shape()[-1], units], initializer={initializer})
            return tf.matmul(x, w)


    def head(x, scope="head"):
        with tf.variable_scope(scope):
            return tf.layers.dense(x, 3, kernel_initializer={layer_initializer})


    def legacy(shape):
        return tf.get_variable("v", shape, initializer=weight_init)
    """


class _Everything:
    """A `consulted` that claims every name: MTF101 then always plans again."""

    def add(self, name) -> None:
        pass

    def update(self, names) -> None:
        pass

    def __rand__(self, other):
        return other


@pytest.fixture
def planned(monkeypatch):
    """The number of plannings of each migrate_source call."""
    counts: list[int] = []
    original = planner_module.Planner.plan

    def plan(self):
        counts.append(1)
        return original(self)

    monkeypatch.setattr(planner_module.Planner, "plan", plan)
    return counts


def _always_replanning(monkeypatch):
    original = planner_module.Planner.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.consulted = _Everything()

    monkeypatch.setattr(planner_module.Planner, "__init__", init)


def _migrate(source: str, rules=(RULE,)):
    return migrate_source(textwrap.dedent(source), rules=list(rules), settings=Settings())


def _outcome(result):
    return result.output, result.error, result.findings, result.conversions, result.applied


def test_initializer_no_converted_code_asks_about_is_planned_once(planned):
    source = DENSE.format(initializer="tf.zeros_initializer()", layer_initializer="None")
    result = _migrate(source)
    assert "class Dense(keras.layers.Layer):" in result.output
    assert "weight_init = tf.truncated_normal_initializer(stddev=0.02)" in result.output
    assert len(planned) == 1


def test_initializer_converted_code_uses_is_planned_again_and_inlined(planned):
    source = DENSE.format(initializer="weight_init", layer_initializer="weight_init")
    result = _migrate(source)
    assert "initializer=keras.initializers.TruncatedNormal(stddev=0.02)" in result.output
    assert "kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02)" in result.output
    assert "weight_init = tf.truncated_normal_initializer(stddev=0.02)" in result.output
    assert any("`weight_init` is a TF1 initializer" in f.message for f in result.findings)
    assert len(planned) == 2


def test_only_the_layer_call_asks_about_the_initializer(planned):
    source = DENSE.format(initializer="tf.zeros_initializer()", layer_initializer="weight_init")
    result = _migrate(source)
    assert "kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02)" in result.output
    assert len(planned) == 2


SOURCES = [
    DENSE.format(initializer=a, layer_initializer=b)
    for a in ("weight_init", "tf.zeros_initializer()")
    for b in ("weight_init", "None", "tf.zeros_initializer()")
]
# The name as another argument of a tf.layers call (inlined there too when blocked).
SOURCES.append(
    DENSE.format(initializer="tf.zeros_initializer()", layer_initializer="None").replace(
        "tf.layers.dense(x, 3,", "tf.layers.dense(x, 3, activation=weight_init,"
    )
)
CASES = sorted(GOLDEN.glob("MTF1*/*/before.py")) + sorted(GOLDEN.glob("MTF203*/*/before.py"))


@pytest.mark.parametrize("source", SOURCES + [case.read_text() for case in CASES])
def test_planning_once_decides_as_planning_again(source, monkeypatch):
    rules = select_rules()
    once = _outcome(_migrate(source, rules))
    _always_replanning(monkeypatch)
    again = _outcome(_migrate(source, rules))
    assert once == again
