"""shapes.assigned_names: every name a function binds (dispatch by node class, as the
isinstance tests it replaces)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.shared import shapes
from migrate_tf.shared.walk import clear_cache, find, pruned

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(REPO.glob("golden/*/*/*.py")) + sorted(REPO.glob("examples/**/*.py"))
EXTRA = """
def f(a, /, b, *c, d=1, **e):
    x = y = 1
    (p, [q, *r]) = s
    t += 1
    u: int = 2
    if (v := 3):
        pass
    for w, (z, *k) in items:
        pass
    with open(a) as (h, i), g() as j:
        pass
    try:
        pass
    except E as err:
        pass
    import m.n as mm, o.p
    from q import r as rr, s
    def inner(): pass
    class Inner: pass
    lam = lambda hidden: hidden
    [comp for comp in range(3)]
    self.attr = 1
    lst[0] = 2
"""


def _reference(function: cst.FunctionDef) -> frozenset[str]:
    names = {param.name.value for param in shapes._all_params(function.params)}
    for node in pruned(
        function.body, lambda n: isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda))
    ):
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            names.add(node.name.value)
        elif isinstance(node, cst.AssignTarget):
            names.update(shapes.bound_names(node.target))
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.NamedExpr)):
            names.update([node.target.value] if isinstance(node.target, cst.Name) else [])
        elif isinstance(node, (cst.For, cst.CompFor)):
            names.update(shapes.bound_names(node.target))
        elif isinstance(node, cst.AsName):
            names.update(shapes.bound_names(node.name))
        elif isinstance(node, cst.ImportAlias):
            target = node.asname.name if node.asname else node.name
            while isinstance(target, cst.Attribute):
                target = target.value
            names.update([target.value] if isinstance(target, cst.Name) else [])
    return frozenset(names)


@pytest.mark.parametrize("source", [EXTRA] + [path.read_text() for path in SOURCES])
def test_assigned_names_as_the_isinstance_tests_say(source):
    try:
        for function in find(cst.parse_module(source), cst.FunctionDef):
            assert shapes.assigned_names(function) == _reference(function)
    finally:
        clear_cache()


def test_assigned_names_of_every_kind_of_binding():
    function = cst.parse_module(EXTRA).body[0]
    try:
        assert shapes.assigned_names(function) == frozenset(
            "a b c d e x y p q r t u v w z k h i j err mm o rr s inner Inner lam comp".split()
        )
    finally:
        clear_cache()
