"""shared.transformer.Transformer calls the hooks CSTTransformer calls and builds the
same trees, with less work per node."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.shared.transformer import Transformer

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(REPO.glob("golden/*/*/*.py"))[:80] + [
    "x = (a)  # c\ny = [1, (2), -3] + f(*a, k=(b), **c)\n",
    "def f(a, b=(1)):\n    return not a or (b) is None\n",
]


def _hooks(log):
    class Hooks:
        def visit_Call(self, node):
            log.append(("visit Call", type(node.func).__name__))
            return not (isinstance(node.func, cst.Name) and node.func.value == "skip")

        def visit_Attribute(self, node):
            log.append(("visit Attribute", node.attr.value))

        def leave_Name(self, original_node, updated_node):
            log.append(("leave Name", original_node.value))
            if original_node.value == "self":
                return cst.Name("this")
            return updated_node

        def leave_Integer(self, original_node, updated_node):
            return updated_node.with_changes(value=str(int(original_node.value) + 1))

        def leave_SimpleStatementLine(self, original_node, updated_node):
            log.append(("leave SimpleStatementLine", len(updated_node.body)))
            return updated_node

        def leave_Return(self, original_node, updated_node):
            return cst.RemovalSentinel.REMOVE if original_node.value is None else updated_node

    return Hooks


def _pair():
    fast_log, slow_log = [], []
    fast = type("Fast", (_hooks(fast_log), Transformer), {})
    slow = type("Slow", (_hooks(slow_log), cst.CSTTransformer), {})
    return fast(), fast_log, slow(), slow_log


@pytest.mark.parametrize("source", [s.read_text() if isinstance(s, Path) else s for s in SOURCES])
def test_same_hooks_same_tree(source):
    module = cst.parse_module(source)
    fast, fast_log, slow, slow_log = _pair()
    fast_result = module.visit(fast)
    slow_result = module.visit(slow)
    assert fast_log == slow_log
    assert fast_result.code == slow_result.code
    assert fast_result.deep_equals(slow_result)


def test_attribute_hooks_are_refused():
    with pytest.raises(TypeError, match="attribute hooks"):
        type("WithAttributeHook", (Transformer,), {"visit_Call_func": lambda self, node: None})


def test_a_hook_inside_leaves_enters_everything():
    comments = []

    class Comments(Transformer):
        def visit_Comment(self, node):
            comments.append(node.value)

    cst.parse_module("x = f(a,  # one\n  b)  # two\n").visit(Comments())
    assert comments == ["# one", "# two"]


def test_leaves_are_not_entered_otherwise():
    entered = []

    class Names(Transformer):
        def visit_Name(self, node):
            entered.append(node.value)

    assert Names._enter_everything is False
    assert Names()._entry(cst.Name)[2] is False
    assert Names()._entry(cst.Call)[2] is True
    cst.parse_module("x = (y)\n").visit(Names())
    assert entered == ["x", "y"]
