"""names.reads remembers, per node and per file, the names the node reads; its
answers are those of free_names.

The planner asks whether each statement of a function reads each parameter: the
names a statement reads are listed once (walk.answers_per_file, cleared after each
file by the engine).
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.shared import walk
from migrate_tf.shared.names import free_names, reads

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(REPO.glob("golden/*/*/before.py"))[:40]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_reads_answers_as_free_names(path):
    module = cst.parse_module(path.read_text())
    names = {node.value for node in walk.walk(module) if isinstance(node, cst.Name)}
    statements = [
        node
        for node in walk.walk(module)
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    ]
    try:
        for statement in statements:
            read = free_names(statement)
            for name in sorted(names):
                assert reads(statement, name) == (name in read)
                assert reads(statement, name) == (name in read)  # remembered
    finally:
        walk.clear_cache()


def test_an_equal_statement_elsewhere_gets_its_own_answer():
    first = cst.parse_module("y = a\n").body[0]
    second = cst.parse_module("y = b\n").body[0]
    try:
        assert reads(first, "a") and not reads(first, "b")
        assert reads(second, "b") and not reads(second, "a")
    finally:
        walk.clear_cache()


def test_free_names_still_gives_a_new_set_each_time():
    statement = cst.parse_module("y = f(a, key=b.c)\n").body[0]
    found = free_names(statement)
    assert found == {"y", "f", "a", "b"}
    found.add("changed")
    assert free_names(statement) == {"y", "f", "a", "b"}
