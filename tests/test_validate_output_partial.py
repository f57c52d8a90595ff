"""The output check parses again only the top-level parts of the output that changed.

``validate_output`` must keep its guarantee: a written file parses with LibCST (and
compiles). Unchanged top-level parts are byte-identical to parts of the source, which
LibCST parsed in the same clean tokenizer state; the others are parsed here, and any
doubt (a boundary that is not clean, a part that does not parse alone) sends the whole
output to the full parse, which judges.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.config import Settings
from migrate_tf.engine import pipeline
from migrate_tf.engine.pipeline import (
    _code_and_pieces,
    _parses_in_parts,
    migrate_source,
    validate_output,
)
from migrate_tf.engine.positions import Positions
from migrate_tf.rules import select_rules
from migrate_tf.rules.base import Rule

REPO = Path(__file__).resolve().parent.parent
GOLDEN = sorted(REPO.glob("golden/*/*/before.py")) + sorted(REPO.glob("golden/*/*/after.py"))

#: LibCST's parser gives up on this many adjacent string literals; CPython does not.
TOO_MANY_STRINGS = " ".join(['"a"'] * 3500)

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
    CODE = "MTF993"
    NAME = "renames-target"
    SUMMARY = "Renames `TARGET` to `RENAMED`."
    TRIGGERS = ("TARGET",)
    REQUIRED_MODULES = ()

    def leave_Name(self, original_node, updated_node):
        if original_node.value == "TARGET":
            self.changed = True
            return updated_node.with_changes(value="RENAMED")
        return updated_node


class EmitsTooManyStrings(Rule):
    __doc__ = DOC
    CODE = "MTF994"
    NAME = "emits-too-many-strings"
    SUMMARY = "Writes a literal LibCST's parser cannot read back (CPython can)."
    TRIGGERS = ("TARGET",)
    REQUIRED_MODULES = ()

    def leave_Name(self, original_node, updated_node):
        if original_node.value == "TARGET":
            self.changed = True
            return cst.SimpleString(TOO_MANY_STRINGS)
        return updated_node


def _pieces(source: str) -> list[str]:
    return Positions(cst.parse_module(source)).top_level_code()


def _full_check(output: str) -> bool:
    try:
        compile(output, "x.py", "exec", dont_inherit=True)
        cst.parse_module(output)
    except (SyntaxError, ValueError, cst.ParserSyntaxError, RecursionError):
        return False
    return True


@pytest.fixture
def checks(monkeypatch):
    """Each partial check the pipeline makes: (pieces, its verdict)."""
    seen: list[tuple[list[str], bool]] = []
    original = pipeline._parses_in_parts

    def spy(pieces, parsed):
        verdict = original(pieces, parsed)
        seen.append((list(pieces), verdict))
        return verdict

    monkeypatch.setattr(pipeline, "_parses_in_parts", spy)
    return seen


# The pieces ---------------------------------------------------------------------------

EDGE_SOURCES = [
    "",
    "\n",
    "x = 1",
    "x = 1\r\ny = 2\r\n",
    "if x:\r    y = 3\r",
    "# header\n\n# more\nimport a\n\n\ndef f():\n    pass\n    # inner\n# footer\n",
    "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nx = 1; y = 2;\n",
    "@dec\n@dec2(1)\n\nclass A:\n    pass\n\n\n\n",
    "from __future__ import annotations\nx: int = 1\n",
    "x = (1 +\n 2)\\\n\n",
    "def f():\n    return 1\n# trailing comment without newline",
]


@pytest.mark.parametrize("source", EDGE_SOURCES + [p.read_text() for p in GOLDEN])
def test_pieces_join_to_the_module_code(source):
    module = cst.parse_module(source)
    code, pieces = _code_and_pieces(module)
    positions = Positions(module)
    assert code == module.code
    assert "".join(pieces) == code
    assert positions.code == code
    assert positions.top_level_code() == pieces
    assert len(pieces) >= len(module.body)


# The check on crafted outputs ---------------------------------------------------------

SOURCE = """import tensorflow as tf

# a comment between statements


def first(x):
    return x + 1


def second(x):
    return x * 2


value = first(2)
"""


def test_an_unchanged_output_parses_nothing_again(monkeypatch):
    parsed = []
    pieces = _pieces(SOURCE)
    monkeypatch.setattr(pipeline.cst, "parse_module", lambda text: parsed.append(text))
    assert _parses_in_parts(pieces, frozenset(pieces))
    assert parsed == []


def test_only_the_changed_statements_are_parsed_again(monkeypatch):
    pieces = _pieces(SOURCE)
    changed = list(pieces)
    index = next(i for i, piece in enumerate(pieces) if "x + 1" in piece)
    changed[index] = changed[index].replace("x + 1", "x + 10")
    changed.insert(index + 1, "\n\nimport keras\n")
    seen = []
    real = cst.parse_module

    def parse(text):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(pipeline.cst, "parse_module", parse)
    assert validate_output("".join(changed), "x.py", pieces=changed, parsed=frozenset(pieces)) is None
    assert seen == [changed[index] + changed[index + 1]]  # one run: the two changed pieces


def test_a_changed_statement_libcst_cannot_read_is_rejected():
    pieces = _pieces(SOURCE)
    bad = list(pieces)
    index = next(i for i, piece in enumerate(pieces) if "def second" in piece)
    bad[index] = f"\n\ndef second(x):\n    return {TOO_MANY_STRINGS}\n"
    output = "".join(bad)
    compile(output, "x.py", "exec", dont_inherit=True)  # valid Python
    assert not _parses_in_parts(bad, frozenset(pieces))
    problem = validate_output(output, "x.py", pieces=bad, parsed=frozenset(pieces))
    assert problem is not None
    assert validate_output(output, "x.py") == problem  # as the full check says it


@pytest.mark.parametrize(
    "pieces, known",
    [
        (["x = 1 \\\n", "+ 2\n"], ()),  # a backslash carries the line on
        (["x = 1 \\\r\n", "+ 2\r\n"], ()),
        (["x = 1\r", "\ny = 2\n"], ()),  # "\r" + "\n" would be one line break, not two
        (["x = 1", "\n"], ()),  # no line break between two parts
        # a changed part that merges with the next one does not parse alone
        (["y = '''\n", "z = 1'''\n"], ("z = 1'''\n",)),
        (["x = (\n", "1)\n"], ("1)\n",)),
    ],
)
def test_doubtful_boundaries_go_to_the_full_check(pieces, known):
    assert not _parses_in_parts(pieces, frozenset(known))
    output = "".join(pieces)
    verdict = validate_output(output, "x.py", pieces=pieces, parsed=frozenset(known))
    assert (verdict is None) == _full_check(output)


def test_a_part_known_to_parse_is_not_trusted_across_a_doubtful_boundary():
    pieces = ["x = 1\n", "y = 2 \\\n", "+ 3\n"]
    assert not _parses_in_parts(pieces, frozenset(pieces))


# The pipeline ---------------------------------------------------------------------------

PIPELINE_SOURCES = [
    "TARGET = 1\nx = 2\n",
    "x = 2\nTARGET = 1",  # no final newline
    "x = 2\r\nTARGET = 1\r\n\r\ndef f():\r\n    return TARGET\r\n",
    "# header\n\nimport os\n\n\ndef f():\n    return TARGET\n    # inner\n# footer\n",
    "from __future__ import annotations\n\nTARGET: int = 1\n",
    "x = 1; TARGET = 2; y = 3\n",
    "@TARGET\n@other\ndef f():\n    pass\n\n\nclass A:\n    pass\n",
    "x = 1\n\x0c\ndef f():\n    return TARGET\n",  # a form feed
    "TARGET = 1\n\x0c",
    "if a:\n    TARGET = 1\nelse:\n    TARGET = 2\n",
    "s = '''\nTARGET\n'''\nTARGET = s\n",
]


@pytest.mark.parametrize("source", PIPELINE_SOURCES)
def test_the_pipeline_accepts_what_the_full_check_accepts(source, checks):
    result = migrate_source(source, rules=[RenamesTarget], settings=Settings())
    assert result.error is None
    assert result.output != source
    assert "RENAMED" in result.output
    assert _full_check(result.output)
    for pieces, verdict in checks:
        assert "".join(pieces) == result.output
        assert verdict


def test_output_libcst_printed_differently_is_checked_whole(checks):
    source = "TARGET = 1\n\n   "  # LibCST drops the blank line; the pipeline puts it back
    assert cst.parse_module(source).code != source
    result = migrate_source(source, rules=[RenamesTarget], settings=Settings())
    assert result.error is None
    assert result.output == "RENAMED = 1\n\n   "
    assert checks == []


def test_the_pipeline_rejects_a_rule_output_libcst_cannot_read(checks):
    source = "import os\n\n\ndef f():\n    return TARGET\n\n\nx = 1\n"
    result = migrate_source(source, rules=[EmitsTooManyStrings], settings=Settings())
    assert result.error is not None
    assert "does not parse" in result.error
    assert result.output == source
    [(pieces, verdict)] = checks
    assert verdict is False
    assert not _full_check("".join(pieces))


@pytest.mark.parametrize("path", sorted(REPO.glob("golden/*/*/before.py")), ids=str)
def test_partial_and_full_checks_agree_on_every_golden_migration(path, checks):
    source = path.read_text()
    result = migrate_source(source, rules=select_rules(), settings=Settings())
    assert result.error is None
    if result.output == source:
        assert checks == []
        return
    [(pieces, verdict)] = checks
    assert "".join(pieces) == result.output
    assert verdict is _full_check(result.output) is True


def test_annotated_output_is_checked_whole(checks):
    annotated = 0
    for case in sorted(REPO.glob("golden/MTF1*/*/before.py")):
        source = case.read_text()
        plain = migrate_source(source, rules=select_rules(), settings=Settings())
        checks.clear()
        result = migrate_source(source, rules=select_rules(), settings=Settings(annotate=True))
        assert result.error is None
        if result.output != plain.output:  # comments were added: the whole is parsed
            annotated += 1
            assert checks == []
            assert _full_check(result.output)
    assert annotated
