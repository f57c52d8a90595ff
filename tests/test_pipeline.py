"""The in-memory pipeline refuses to hand out code that does not parse or compile."""

from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_bytes, migrate_source
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


class BreaksSyntax(Rule):
    __doc__ = DOC
    CODE = "MTF991"
    NAME = "breaks-syntax"
    SUMMARY = "Writes `1.real`, which LibCST prints but no parser accepts."
    TRIGGERS = ("TARGET",)
    REQUIRED_MODULES = ()

    def leave_Name(self, original_node, updated_node):
        if original_node.value == "TARGET":
            return cst.Attribute(value=cst.Integer("1"), attr=cst.Name("real"))
        return updated_node


class BreaksCompile(Rule):
    __doc__ = DOC
    CODE = "MTF992"
    NAME = "breaks-compile"
    SUMMARY = "Renames TARGET to __debug__, which parses but does not compile."
    TRIGGERS = ("TARGET",)
    REQUIRED_MODULES = ()

    def leave_Name(self, original_node, updated_node):
        if original_node.value == "TARGET":
            return updated_node.with_changes(value="__debug__")
        return updated_node


SOURCE = "TARGET = 1\nprint(TARGET)\n"


def test_output_that_does_not_parse_is_not_returned():
    result = migrate_source(SOURCE, rules=[BreaksSyntax], settings=Settings())
    assert result.output == SOURCE
    assert not result.changed
    assert "does not parse" in result.error


def test_output_that_parses_but_does_not_compile_is_not_returned():
    # libcst accepts an assignment to __debug__; CPython's compiler does not.
    cst.parse_module("__debug__ = 1\n")
    result = migrate_source(SOURCE, rules=[BreaksCompile], settings=Settings())
    assert result.output == SOURCE
    assert "does not parse" in result.error and "__debug__" in result.error


def test_bytes_of_a_file_whose_migration_is_invalid_stay_identical():
    data = b"# -*- coding: latin-1 -*-\nTARGET = '\xe9'\r\n"
    result = migrate_bytes(data, rules=[BreaksSyntax], settings=Settings())
    assert result.output == data
    assert result.error is not None


def test_file_without_trigger_tokens_is_not_parsed():
    data = b"this is not python at all ((("
    result = migrate_bytes(data, rules=[BreaksSyntax], settings=Settings())
    assert result.output == data and result.error is None and not result.parsed


# The nesting guard: Python's syntax tree is built only when the code may be deep, so
# every shape of deep code must still be caught by the cheap look.
DEEP_SHAPES = {
    "unary minus": "v = " + "-" * 600 + "1\n",
    "and chain": "v = " + " and ".join(["a"] * 600) + "\n",
    "plus chain over lines": "v = (\n" + " +\n".join(["    a"] * 600) + "\n)\n",
    "attribute chain": "v = x" + ".a" * 600 + "\n",
    "call chain": "v = f" + "()" * 600 + "\n",
    "subscripts": "v = x" + "[0]" * 600 + "\n",
    "conditional chain": "v = " + " if c else ".join(["a"] * 600) + "\n",
    "lambda chain": "v = " + "lambda: " * 600 + "1\n",
    "continued lines": "v = a" + " \\\n    + a" * 600 + "\n",
    "elif chain": "def f(op):\n    if op == 0:\n        return 0\n"
    + "".join(f"    elif op == {i}:\n        return {i}\n" for i in range(1, 600)),
}


@pytest.mark.parametrize("source", DEEP_SHAPES.values(), ids=DEEP_SHAPES.keys())
def test_every_shape_of_code_deeper_than_the_limit_is_refused(source):
    from migrate_tf.engine.pipeline import MAX_NESTING, check_source

    problem = check_source(source, "deep.py")
    assert problem is not None
    assert f"nested too deeply (more than {MAX_NESTING} levels)" in problem or (
        problem == "cannot parse: the code is nested too deeply for the parser"
    )


def test_ordinary_code_is_not_taken_for_deep_code():
    from migrate_tf.engine.pipeline import _may_nest_deeply

    golden = sorted((Path(__file__).parent.parent / "golden").glob("*/*/before.py"))
    assert golden
    assert [path for path in golden if _may_nest_deeply(path.read_text())] == []
