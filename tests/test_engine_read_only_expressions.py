"""Expressions no rule can change are walked, not rebuilt, and the rules see the same.

When no rule has a ``leave_`` hook for an expression type (nor generic or attribute
hooks, nor hooks on whitespace and punctuation), the dispatcher calls the rules'
``visit_`` hooks below an expression with its own walk instead of letting LibCST
rebuild every node there. These tests pin down what that rests on: the walk lists
the nodes LibCST visits, in its order (less whitespace and punctuation); expressions
hold no statements; and the hooks, their order, the pauses and every result are the
same either way.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.config import Settings
from migrate_tf.engine import pipeline
from migrate_tf.engine.pipeline import (
    _EXPRESSION_LEVEL,
    _PUNCTUATION,
    _STATEMENT_LEVEL,
    _expressions_read_only,
    migrate_source,
)
from migrate_tf.rules import get_rule, select_rules
from migrate_tf.rules.base import Rule
from migrate_tf.shared.walk import walk

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(REPO.glob("golden/*/*/*.py")) + sorted(REPO.glob("examples/**/*.py"))
TRICKY = [
    "x = [a for a in b if a] + {k: v for k, v in d.items()}\n",
    "f(*args, key=lambda a, b=1: a + b, **kw)\n",
    "x = a if b else (c, d)[1:2:3]\n",
    "y = f'{a!r:>{width}} {b}'\n",
    "z = not a and b or c in d is not e\n",
    "@decorate(1)\nclass A(B, metaclass=M):\n    x: int = 1\n",
    "async def f():\n    await g(x async for x in y)\n",
    "match p:\n    case Point(x=0, y=[1, *rest]) | {'k': v, **kw} if v:\n        pass\n",
    "def f(a, /, b: int = 2, *c, d, **e) -> None:\n    global g\n    return (yield)\n",
]

DOC = """
## What it does
## Why is this bad?
## Example
## Use instead
## Fix safety
## When it refuses
## References
"""


class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node) -> bool:
        self.nodes.append(node)
        return True


def _texts():
    return [path.read_text(encoding="utf-8") for path in SOURCES] + TRICKY


@pytest.mark.parametrize("source", _texts())
def test_the_walk_lists_what_libcst_visits_in_its_order(source):
    module = cst.parse_module(source)
    recorder = _Recorder()
    module.visit(recorder)
    walked = list(walk(module))
    listed = {id(node) for node in walked}
    visited = [node for node in recorder.nodes if id(node) in listed]
    assert [id(node) for node in visited] == [id(node) for node in walked]
    for node in recorder.nodes:  # what the walk leaves out is whitespace and punctuation
        if id(node) not in listed:
            assert type(node) in _PUNCTUATION, type(node).__name__


class _InsideExpressions(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # expression-level nodes open around the current one
        self.statements_inside: list[str] = []

    def on_visit(self, node) -> bool:
        if type(node) in _STATEMENT_LEVEL and self.depth:
            self.statements_inside.append(type(node).__name__)
        if type(node) in _EXPRESSION_LEVEL:
            self.depth += 1
        return True

    def on_leave(self, original_node) -> None:
        if type(original_node) in _EXPRESSION_LEVEL:
            self.depth -= 1


@pytest.mark.parametrize("source", _texts())
def test_expressions_hold_no_statements(source):
    checker = _InsideExpressions()
    cst.parse_module(source).visit(checker)
    assert checker.statements_inside == []
    assert checker.depth == 0


def test_which_rule_sets_leave_expressions_read_only():
    context = None

    def instances(*codes):
        return [get_rule(code)(context) for code in codes]

    assert _expressions_read_only(instances("MTF101", "MTF201", "MTF206"))
    assert _expressions_read_only(instances("MTF202", "MTF204"))
    assert not _expressions_read_only(instances("MTF203"))  # generic on_visit
    assert not _expressions_read_only(instances("MTF205"))  # leave_Call
    assert not _expressions_read_only(instances("MTF101", "MTF207"))  # leave_Call, visit_Comment


class RecordsExpressionHooks(Rule):
    """Visits expressions (never changes one), stops inside some, changes statements."""

    __doc__ = DOC
    CODE = "MTF985"
    NAME = "records-expression-hooks"
    SUMMARY = "Records the expression hooks it is called with."
    TRIGGERS = ("=",)
    REQUIRED_MODULES = ()
    SEEN: list = []

    def visit_Call(self, node):
        self.SEEN.append(("call", self.context.positions[node]))
        return not (isinstance(node.func, cst.Name) and node.func.value == "skip")

    def visit_Name(self, node):
        self.SEEN.append(("name", node.value, self.context.positions[node]))

    def visit_Attribute(self, node):
        self.SEEN.append(("attribute", self.context.positions[node]))
        return node.attr.value != "hidden"

    def visit_Lambda(self, node):
        return False

    def visit_FunctionDef(self, node):
        self.SEEN.append(("def", node.name.value))

    def leave_SimpleStatementLine(self, original_node, updated_node):
        # keeps what it is given: an expression below may be the original itself
        if any(isinstance(s, cst.Expr) for s in updated_node.body):
            self.changed = True
            return updated_node.with_changes(
                leading_lines=[cst.EmptyLine(comment=cst.Comment("# seen"))]
            )
        return updated_node


class AlsoRecordsNames(RecordsExpressionHooks):
    CODE = "MTF986"
    NAME = "also-records-names"

    def visit_Name(self, node):
        self.SEEN.append(("name 2", node.value))
        return node.value != "deep"


HOOKED = """
import os

# a comment
x = f(a, skip(b, c.d), e.hidden.f(g), lambda q: q(r))
deep(deep(w).v, [k for k in deep])


def h(p, q=os.sep):
    return p.q(q)[0] + {t: u for t, u in p}.get(0)
"""


def _run(source, rules, read_only, monkeypatch):
    RecordsExpressionHooks.SEEN = []
    with monkeypatch.context() as patch:
        if not read_only:
            patch.setattr(pipeline, "_expressions_read_only", lambda rules: False)
        result = migrate_source(source, rules=rules, settings=Settings())
    return list(RecordsExpressionHooks.SEEN), result


def _outcome(result):
    return result.output, result.error, result.findings, result.conversions, result.applied


@pytest.mark.parametrize(
    "rules", [[RecordsExpressionHooks], [RecordsExpressionHooks, AlsoRecordsNames]]
)
def test_hooks_and_pauses_are_the_same_walked_or_rebuilt(rules, monkeypatch):
    assert _expressions_read_only([rule(None) for rule in rules])
    walked, walked_result = _run(HOOKED, rules, True, monkeypatch)
    rebuilt, rebuilt_result = _run(HOOKED, rules, False, monkeypatch)
    assert walked == rebuilt
    names = {entry[1] for entry in walked if entry[0] == "name"}
    assert {"f", "a", "g", "deep", "w", "k", "p"} <= names
    assert not names & {"skip", "b", "c", "e", "r"}  # in skip(...), .hidden, a lambda
    assert any(entry[0] == "def" for entry in walked)
    assert _outcome(walked_result) == _outcome(rebuilt_result)
    assert walked_result.output != HOOKED


@pytest.mark.parametrize("path", sorted(REPO.glob("golden/*/*/before.py")), ids=str)
def test_every_golden_migration_is_the_same_walked_or_rebuilt(path, monkeypatch):
    source = path.read_text(encoding="utf-8")
    code = path.parent.parent.name.split("-", 1)[0]
    for rules in ([get_rule(code)], select_rules()):
        walked = migrate_source(source, rules=rules, settings=Settings())
        with monkeypatch.context() as patch:
            patch.setattr(pipeline, "_expressions_read_only", lambda rules: False)
            rebuilt = migrate_source(source, rules=rules, settings=Settings())
        assert _outcome(walked) == _outcome(rebuilt)
