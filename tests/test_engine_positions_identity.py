"""Positions is a mapping of the module's nodes by identity.

Its offsets are kept by ``id`` of the node, with the node itself in the entry (a
node's hash is a Python-level method, called twice per node otherwise). Iterating,
``in`` and lookups must still answer about the very nodes of the module, as
LibCST's PositionProvider does.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from migrate_tf.engine.positions import Positions

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(REPO.glob("golden/MTF101*/*/before.py"))[:10] + sorted(
    REPO.glob("examples/**/*.py")
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_iteration_and_membership_are_those_of_position_provider(path):
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(module)
    listed = list(positions)
    assert len(listed) == len(expected) == len({id(node) for node in listed})
    assert {id(node) for node in listed} == {id(node) for node in expected}
    assert all(node in positions for node in expected)


def test_an_equal_node_that_is_not_of_the_module_is_not_in_it():
    module = cst.parse_module("x = 1\n")
    positions = Positions(module)
    name = module.body[0].body[0].targets[0].target
    assert name in positions
    copy = name.deep_clone()
    assert copy not in positions
    assert positions.get(copy) is None
    with pytest.raises(KeyError):
        positions[copy]
    assert "x" not in positions
