"""The rule dispatcher calls exactly the hooks CSTTransformer would, in the same order."""

import libcst as cst

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules.base import Rule

DOC = """
## What it does
## Why is this bad?
## Example
## Use instead
## Fix safety
## When it refuses
## References
"""

CALLS: list[str] = []


class AttributeHooks(Rule):
    __doc__ = DOC
    CODE = "MTF981"
    NAME = "attribute-hooks"
    SUMMARY = "Records attribute hooks."
    TRIGGERS = ("=",)
    REQUIRED_MODULES = ()

    def visit_Assign_targets(self, node):
        CALLS.append("visit_Assign_targets")

    def leave_Assign_value(self, node):
        CALLS.append("leave_Assign_value")


class GenericHooks(Rule):
    __doc__ = DOC
    CODE = "MTF982"
    NAME = "generic-hooks"
    SUMMARY = "Overrides on_visit and on_leave."
    TRIGGERS = ("=",)
    REQUIRED_MODULES = ()

    def on_visit(self, node):
        CALLS.append(f"on_visit {type(node).__name__}")
        return not isinstance(node, cst.Call)  # do not enter calls

    def on_leave(self, original_node, updated_node):
        if isinstance(updated_node, cst.Integer):
            self.changed = True
            return updated_node.with_changes(value="2")
        return updated_node


class StopsAtFunctions(Rule):
    __doc__ = DOC
    CODE = "MTF983"
    NAME = "stops-at-functions"
    SUMMARY = "Does not enter functions but still leaves them."
    TRIGGERS = ("=",)
    REQUIRED_MODULES = ()

    def visit_FunctionDef(self, node):
        CALLS.append("visit_FunctionDef")
        return False

    def visit_Name(self, node):
        CALLS.append(f"visit_Name {node.value}")

    def leave_FunctionDef(self, original_node, updated_node):
        CALLS.append("leave_FunctionDef")
        return updated_node


def _run(rule, source):
    CALLS.clear()
    return migrate_source(source, rules=[rule], settings=Settings())


def test_attribute_hooks_are_called():
    _run(AttributeHooks, "x = 1\n")
    assert CALLS == ["visit_Assign_targets", "leave_Assign_value"]


def test_a_rule_overriding_on_visit_and_on_leave_sees_every_node():
    result = _run(GenericHooks, "x = 1\nf(1)\n")
    assert "on_visit Module" in CALLS and "on_visit Integer" in CALLS
    assert CALLS.count("on_visit Integer") == 1  # the one in f(1) is not entered
    assert result.output == "x = 2\nf(1)\n"


def test_visit_returning_false_skips_the_subtree_but_not_the_leave():
    _run(StopsAtFunctions, "def f():\n    inner = 1\nouter = 2\n")
    assert CALLS == ["visit_FunctionDef", "leave_FunctionDef", "visit_Name outer"]


def test_a_suppressed_statement_is_neither_visited_nor_left():
    _run(StopsAtFunctions, "def f():  # migrate-tf: ignore[MTF983]\n    inner = 1\nouter = 2\n")
    assert CALLS == ["visit_Name outer"]


class KeepsIdentity(Rule):
    __doc__ = DOC
    CODE = "MTF984"
    NAME = "keeps-identity"
    SUMMARY = "Records whether the nodes it leaves were rebuilt."
    TRIGGERS = ("=",)
    REQUIRED_MODULES = ()

    def visit_FunctionDef(self, node):
        return False

    def leave_FunctionDef(self, original_node, updated_node):
        CALLS.append(f"function rebuilt: {updated_node is not original_node}")
        return updated_node

    def leave_SimpleStatementLine(self, original_node, updated_node):
        name = updated_node.body[0].targets[0].target
        CALLS.append(f"name rebuilt: {name is not original_node.body[0].targets[0].target}")
        return updated_node


def test_nothing_is_rebuilt_below_a_node_every_rule_stepped_out_of_or_inside_a_name():
    result = _run(KeepsIdentity, "def f():\n    inner = 1\nouter = (2)\n")
    assert CALLS == ["function rebuilt: False", "name rebuilt: False"]
    assert result.output == "def f():\n    inner = 1\nouter = (2)\n"


def test_leaves_are_walked_into_when_a_rule_hooks_a_leaf_type_or_every_node():
    from migrate_tf.engine.pipeline import _unwatched_leaves

    assert cst.Name in _unwatched_leaves((KeepsIdentity,))
    assert cst.SimpleWhitespace in _unwatched_leaves((KeepsIdentity,))
    assert _unwatched_leaves((KeepsIdentity, StopsAtFunctions)) == frozenset()  # visit_Name
    assert _unwatched_leaves((GenericHooks,)) == frozenset()
    assert _unwatched_leaves((AttributeHooks,)) == frozenset()
