"""ImportIndex.canonical remembers its answer per expression, and the answer is the
one it computes afresh.

The rules of a TF file ask about the same callee several times; the index keeps
(expression, tf1, answer) per expression. These tests ask twice about every
expression of the golden files and compare with an index that has never been asked.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.shared import walk
from migrate_tf.shared.imports import ImportIndex

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(REPO.glob("golden/*/*/before.py"))


def _expressions(module: cst.Module):
    return [node for node in walk.walk(module) if isinstance(node, (cst.Name, cst.Attribute))]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_remembered_answers_are_the_fresh_answers(path):
    source = path.read_text()
    module = cst.parse_module(source)
    asked = ImportIndex.from_module(module, source)
    for node in _expressions(module):
        first = asked.canonical(node)
        fresh = ImportIndex.from_module(module, source)
        assert asked.canonical(node) == first == fresh.canonical(node)


def test_an_equal_expression_elsewhere_gets_its_own_answer():
    module = cst.parse_module("import tensorflow as tf\nx = tf.Variable\n")
    index = ImportIndex.from_module(module, "")
    node = module.body[1].body[0].value
    assert index.canonical(node) == "tf.Variable"
    other = cst.parse_expression("np.Variable")
    assert index.canonical(other) is None


def test_the_answer_follows_the_tf1_flag():
    module = cst.parse_module("import tensorflow as tf\nx = tf.layers.dense\n")
    index = ImportIndex.from_module(module, "")
    node = module.body[1].body[0].value
    index.tf1 = False
    assert index.canonical(node) == "tf.layers.dense"
    index.tf1 = True
    assert index.canonical(node) == "tf1.layers.dense"


def test_the_cache_is_not_part_of_equality_or_repr():
    module = cst.parse_module("import tensorflow as tf\nx = tf.Variable\n")
    asked = ImportIndex.from_module(module, "")
    asked.canonical(module.body[1].body[0].value)
    fresh = ImportIndex.from_module(module, "")
    assert asked == fresh
    assert repr(asked) == repr(fresh)
