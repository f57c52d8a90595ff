"""Unchanged statements are the parsed nodes themselves, and their code is reused.

The dispatcher hands back the original statement when LibCST rebuilt it with nothing
changed; the output is printed child by child, taking the code the positions already
printed for a child that is the very node of the parsed module; a module whose
children are all the originals is the source.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.config import Settings
from migrate_tf.engine import pipeline
from migrate_tf.engine.pipeline import _code_and_pieces, _same_module, migrate_source
from migrate_tf.engine.positions import Positions
from migrate_tf.rules import select_rules
from migrate_tf.rules.base import Rule

REPO = Path(__file__).resolve().parent.parent
GOLDEN = sorted(REPO.glob("golden/*/*/before.py"))

DOC = """
## What it does
## Why is this bad?
## Example
## Use instead
## Fix safety
## When it refuses
## References
"""


class RenamesTarget(Rule):
    __doc__ = DOC
    CODE = "MTF987"
    NAME = "renames-target-statement"
    SUMMARY = "Renames `TARGET = ...` to `RENAMED = ...` and reports it."
    TRIGGERS = ("TARGET",)
    REQUIRED_MODULES = ()

    def leave_SimpleStatementLine(self, original_node, updated_node):
        [small] = updated_node.body
        if isinstance(small, cst.Assign) and small.targets[0].target.deep_equals(cst.Name("TARGET")):
            self.changed = True
            self.report(original_node, "renamed")
            target = small.targets[0].with_changes(target=cst.Name("RENAMED"))
            return updated_node.with_changes(body=[small.with_changes(targets=[target])])
        return updated_node


@pytest.fixture
def printed(monkeypatch):
    """Each output printing: (module, reuse map, code, pieces), checked against
    Module.code."""
    seen = []
    real = pipeline._code_and_pieces

    def spy(module, reuse=None):
        code, pieces = real(module, reuse)
        assert code == module.code
        assert "".join(pieces) == code
        assert (code, pieces) == real(module)
        seen.append((module, reuse, code, pieces))
        return code, pieces

    monkeypatch.setattr(pipeline, "_code_and_pieces", spy)
    return seen


@pytest.mark.parametrize("path", GOLDEN, ids=str)
def test_reused_code_is_the_code_libcst_prints(path, printed):
    source = path.read_text(encoding="utf-8")
    result = migrate_source(source, rules=select_rules(), settings=Settings())
    assert result.error is None
    if result.output == source:
        return
    # the output (and, when no rule needed positions, the source printed back)
    assert any(code == result.output for _, _, code, _ in printed)


SOURCE = """import os

# leading comment


def untouched(a):
    return os.path.join(a, "x")


TARGET = 1


class Kept:
    x = [1, 2]
"""


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("final_newline", [True, False])
def test_unchanged_statements_are_the_parsed_ones(printed, monkeypatch, ending, final_newline):
    source = SOURCE.replace("\n", ending)
    if not final_newline:
        source = source.rstrip("\r\n")
    originals = []
    real = pipeline._reusable_pieces

    def spy(context, module):
        originals.append(module)
        return real(context, module)

    monkeypatch.setattr(pipeline, "_reusable_pieces", spy)
    result = migrate_source(source, rules=[RenamesTarget], settings=Settings())
    assert result.error is None
    assert result.output == source.replace("TARGET", "RENAMED")
    [(module, reuse, code, pieces)] = printed
    [original] = originals
    assert reuse is not None
    same = [a is b for a, b in zip(original.body, module.body)]
    assert same == [True, True, False, True]
    assert module.body[2] is not original.body[2]


def test_a_module_nothing_changed_is_not_printed(printed):
    source = "import tensorflow as tf\n\n\ndef f(x):\n    return tf.variable_scope\n"
    result = migrate_source(source, rules=select_rules(), settings=Settings())
    assert result.error is None
    assert result.output == source
    assert printed == []


def test_same_module():
    module = cst.parse_module("x = 1\ny = 2\n")
    assert _same_module(module, module)
    assert _same_module(module, module.with_changes(body=list(module.body)))
    assert not _same_module(module, module.with_changes(body=module.body[:1]))
    assert not _same_module(module, module.with_changes(has_trailing_newline=False))
    assert not _same_module(module, module.with_changes(default_newline="\r\n"))
    copy = cst.parse_module("x = 1\ny = 2\n")
    assert not _same_module(module, copy)  # equal, but not the same nodes


@pytest.mark.parametrize("source", ["x = 1", "x = 1\ny = 2", "\n", "", "# c", "x = 1\n# c"])
def test_pieces_without_a_final_newline_or_children(source):
    module = cst.parse_module(source)
    children = (*module.header, *module.body, *module.footer)
    pieces = Positions(module).top_level_code()
    reuse = {id(child): (child, piece) for child, piece in zip(children, pieces)}
    # even offered, the code of a last child without its newline is not reused
    assert _code_and_pieces(module, reuse)[0] == module.code == source
