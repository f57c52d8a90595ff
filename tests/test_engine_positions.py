"""The engine's positions are exactly libcst's PositionProvider ranges (only cheaper)."""

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from migrate_tf.engine.positions import Positions

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(REPO_ROOT.glob("golden/*/*/before.py")) + sorted(
    REPO_ROOT.glob("examples/**/*.py")
)
TRICKY = [
    "",
    "\n",
    "x = 1\r\ny = 2\r\n",
    "if x:\r    y = 3\r",
    "def f(a,\n      b):\n\tpass\n",
    "# c\n\n@dec\nclass A:  # x\n    '''doc\n    more'''\n    x: int = 1\n",
    "s = 'é' + \"\"\"\nß\n\"\"\"\n",
    "x = (1 +\n 2)\\\n\n",
    "async def f():\n    async with a as b:\n        await c\n",
    "if a:\n    pass\nelif b:  # c\n    pass\nelse:\n\n    # d\n    x = [\n        1,\n    ]\n",
    "x = 1",
    "x = 1\r\n\r\n# c\r\ny = '''a\r\nb'''\r\n",
    "if x:\r\n    pass\r\n# c\r",
    "x = 1\ry = 2\n\r\n",
    "def f():\n    return 1\n# no final newline",
    "def f():\r\n    return (\r\n        1)",
]


def _assert_same(source: str) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(module)
    assert len(positions) == len(expected)
    for node, code_range in expected.items():
        assert positions[node] == code_range, type(node).__name__
        assert positions.get(node) == code_range


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_positions_of_golden_and_example_files_equal_position_provider(path):
    _assert_same(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("source", TRICKY)
def test_positions_of_line_ending_and_nesting_corner_cases_equal_position_provider(source):
    _assert_same(source)


def test_a_node_of_another_module_has_no_position():
    positions = Positions(cst.parse_module("x = 1\n"))
    assert positions.get(cst.Name("x")) is None


@pytest.mark.parametrize("source", TRICKY)
def test_positions_print_the_module_as_module_code_does(source):
    module = cst.parse_module(source)
    assert Positions(module).code == module.code


@pytest.mark.parametrize("source", TRICKY)
def test_top_level_code_cuts_the_module_code_between_its_children(source):
    module = cst.parse_module(source)
    pieces = Positions(module).top_level_code()
    assert "".join(pieces) == module.code
    children = [*module.header, *module.body, *module.footer]
    if not children:
        assert pieces == ([module.code] if module.code else [])
        return
    assert len(pieces) == len(children)
    printed = [module.code_for_node(child) for child in children]
    assert pieces[:-1] == printed[:-1]
    if module.has_trailing_newline:
        assert pieces[-1] == printed[-1]
    else:  # the last child of a file without a final newline loses its line break
        assert pieces[-1] + printed[-1][len(pieces[-1]):] == printed[-1]
        assert printed[-1][len(pieces[-1]):] in ("\n", "\r\n", "\r")
