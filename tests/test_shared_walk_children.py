"""walk's generated per-class child lists name exactly the children a plain reading
of the node's fields names.

:data:`migrate_tf.shared.walk._CHILDREN` generates, per node class, a function that
reads the code-carrying fields one by one. The reference here is the definition
written out: every dataclass field of the node that :func:`walk._fields` keeps, in
its order, a node taken as it is and a sequence taken item by item, anything else
(strings, None, sentinels) left out.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.shared import walk

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(REPO.glob("golden/*/*/before.py")) + sorted(REPO.glob("examples/**/*.py"))


def _reference_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    below = []
    for name in walk._fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            below.append(value)
        elif isinstance(value, (list, tuple)):
            below.extend(value)
    return below


def _every_node(root: cst.CSTNode):
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(_reference_children(node)))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_child_nodes_match_the_fields_of_every_node(path):
    module = cst.parse_module(path.read_text())
    for node in _every_node(module):
        found = walk._child_nodes(node)
        expected = _reference_children(node)
        assert len(found) == len(expected) and all(a is b for a, b in zip(found, expected)), (
            type(node).__name__
        )


def test_walk_lists_what_the_reference_lists_in_source_order():
    source = (
        "@decorate(a)\n"
        "def f(x, *, y=1, **kw) -> int:\n"
        "    with tf.variable_scope('s') as scope:\n"
        "        return [g(i) for i in range(x) if i] + {k: v for k, v in kw.items()}\n"
    )
    module = cst.parse_module(source)
    assert [type(n) for n in walk.walk(module)] == [type(n) for n in _every_node(module)]
    assert all(a is b for a, b in zip(walk.walk(module), _every_node(module)))


def test_child_nodes_skip_strings_none_and_sentinels():
    param = cst.parse_module("def f(x=1): pass\n").body[0].params.params[0]
    # Param.star is a sentinel or a string, Param.annotation None: neither is listed.
    assert walk._child_nodes(param) == [param.name, param.default]
    assert walk._child_nodes(cst.Name("x")) == []


def test_a_field_named_like_a_builtin_is_read_as_the_field():
    # ExceptHandler has a field called `type`, which the listing also calls.
    handler = cst.parse_module("try:\n    pass\nexcept E as e:\n    pass\n").body[0].handlers[0]
    assert walk._child_nodes(handler) == _reference_children(handler)
    assert handler.type in walk._child_nodes(handler)
