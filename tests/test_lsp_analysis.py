"""The editor-independent part of the language server: positions, edits, actions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_bytes, migrate_source
from migrate_tf.lsp.analysis import (
    LineShift,
    Projects,
    Text,
    analyse,
    apply_edits,
    minimal_edits,
)
from migrate_tf.rules import all_rules
from migrate_tf.rules.base import CodeRange

TWO_FUNCTIONS_AND_A_LAYER = '''\
import tensorflow as tf


def dense(x, units, scope="dense"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1].value, units])
        return tf.matmul(x, w)


def bias(x, scope="bias"):
    with tf.variable_scope(scope):
        b = tf.get_variable("b", [x.get_shape()[-1].value])
        return x + b


class Scale(tf.keras.layers.Layer):
    def __init__(self, size, start, **kwargs):
        super().__init__(**kwargs)
        self.gain = tf.Variable(tf.ones([size]), name="gain")
        self.count = tf.Variable(start, trainable=False)

    def call(self, x):
        return x * self.gain
'''


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.migrate-tf]\n")
    return tmp_path


def analysed(project, text=TWO_FUNCTIONS_AND_A_LAYER, name="ops.py"):
    return analyse(text, project / name, projects=Projects(), version=1)


# Text -----------------------------------------------------------------------------


def test_lines_split_as_lsp_splits_them():
    text = Text("a\r\nb\rc\nd\x0ce\u2028f")
    assert text.line_count == 4
    assert [text.line(i) for i in range(4)] == ["a", "b", "c", "d\x0ce\u2028f"]
    assert text.position(len(text.text)) == (3, 5)
    assert text.offset(1, 99) == text.text.index("b") + 1


def test_client_units_for_each_position_encoding():
    text = Text('x = "é😀"; y = 1\n')
    column = text.line(0).index("y")
    assert text.to_client(0, column, "utf-32") == (0, column)
    assert text.to_client(0, column, "utf-16") == (0, column + 1)  # 😀 is two code units
    assert text.to_client(0, column, "utf-8") == (0, column + 1 + 3)  # é 2 bytes, 😀 4
    for encoding in ("utf-8", "utf-16", "utf-32"):
        assert text.from_client(*text.to_client(0, column, encoding), encoding) == (0, column)


line_text = st.text(alphabet=st.sampled_from(list("ab \tx😀")), max_size=6)
document = st.lists(
    st.tuples(line_text, st.sampled_from(["\n", "\r\n", "\r", ""])), max_size=8
).map(lambda lines: "".join(text + end for text, end in lines))


@settings(max_examples=200, deadline=None)
@given(old=document, new=document)
def test_minimal_edits_turn_the_old_text_into_the_new(old, new):
    assert apply_edits(old, minimal_edits(old, new)) == new


def test_minimal_edits_touch_only_changed_lines():
    old = "a\nb\nc\nd\n"
    new = "a\nB\nc\nd\ne\n"
    edits = minimal_edits(old, new)
    assert [(e.start, e.end, e.text) for e in edits] == [
        ((1, 0), (2, 0), "B\n"),
        ((4, 0), (4, 0), "e\n"),
    ]


# Analysis -------------------------------------------------------------------------


def test_fix_all_is_exactly_what_apply_writes(project):
    analysis = analysed(project)
    expected = migrate_bytes(
        TWO_FUNCTIONS_AND_A_LAYER.encode(), rules=all_rules(), settings=Settings()
    ).output.decode()
    assert analysis.output == expected != TWO_FUNCTIONS_AND_A_LAYER
    assert apply_edits(analysis.text, analysis.fix_all_edits()) == expected


def test_conversions_and_findings_carry_ranges(project):
    analysis = analysed(project)
    by_name = {c.old: c for c in analysis.conversions}
    assert set(by_name) == {"dense", "bias", "Scale"}
    dense = by_name["dense"]
    assert (dense.name_range.line, dense.name_range.column) == (4, 5)
    assert (dense.name_range.end_line, dense.name_range.end_column) == (4, 10)
    assert (dense.range.line, dense.range.end_line) == (4, 7)
    [finding] = analysis.findings
    assert finding.code == "MTF201"
    line = TWO_FUNCTIONS_AND_A_LAYER.splitlines()[finding.line - 1]
    assert line[finding.range.column - 1 : finding.range.end_column - 1] == (
        "tf.Variable(start, trainable=False)"
    )


def test_construct_edits_convert_that_construct_only(project):
    analysis = analysed(project)
    dense = next(c for c in analysis.conversions if c.old == "dense")
    edited = apply_edits(analysis.text, analysis.construct_edits(dense))
    assert "class Dense(keras.layers.Layer):" in edited
    assert "import keras" in edited
    assert "def bias(x, scope=" in edited
    assert 'self.gain = tf.Variable(tf.ones([size]), name="gain")' in edited
    again = analyse(edited, project / "ops.py", projects=Projects(), version=2)
    assert sorted(c.old for c in again.conversions) == ["Scale", "bias"]
    # The edits leave every line outside the function and the imports alone.
    assert edited.endswith(TWO_FUNCTIONS_AND_A_LAYER[TWO_FUNCTIONS_AND_A_LAYER.index("\n\ndef bias"):])


def test_construct_edits_of_the_only_conversion_are_the_whole_migration(project):
    text = TWO_FUNCTIONS_AND_A_LAYER[: TWO_FUNCTIONS_AND_A_LAYER.index("\n\ndef bias")] + "\n"
    analysis = analysed(project, text)
    [dense] = analysis.conversions
    assert apply_edits(text, analysis.construct_edits(dense)) == analysis.output


def test_project_configuration_is_used(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.migrate-tf]\nignore = ["MTF201"]\n')
    analysis = analysed(tmp_path)
    assert {c.code for c in analysis.conversions} == {"MTF101"}
    assert analysis.findings == []


def test_excluded_files_and_bad_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.migrate-tf]\nexclude = ["legacy"]\n')
    assert analysed(tmp_path, name="legacy/ops.py").excluded
    (tmp_path / "pyproject.toml").write_text('[tool.migrate-tf]\nselect = ["MTF999"]\n')
    analysis = analyse(TWO_FUNCTIONS_AND_A_LAYER, tmp_path / "ops.py", projects=Projects())
    assert "MTF999" in analysis.config_error
    assert analysis.conversions == [] and analysis.output == analysis.text


def test_a_syntax_error_is_an_error_not_an_exception(project):
    analysis = analysed(project, "import tensorflow as tf\nv = tf.Variable(\n")
    assert analysis.error.startswith("cannot parse")
    assert analysis.conversions == [] and analysis.fix_all_edits() == []


# Ignore comments ------------------------------------------------------------------


def ignored(project, text, line, code="MTF201"):
    analysis = analysed(project, text)
    edit = analysis.ignore_edit(line, code)
    return None if edit is None else apply_edits(text, [edit])


def test_ignore_appends_a_comment_to_the_line(project):
    assert ignored(project, "x = 1   \ny = 2\n", 1) == "x = 1  # migrate-tf: ignore[MTF201]\ny = 2\n"


def test_ignore_keeps_line_endings_and_a_missing_final_newline(project):
    assert ignored(project, "x = 1\r\ny = 2", 2) == "x = 1\r\ny = 2  # migrate-tf: ignore[MTF201]"


def test_ignore_extends_an_existing_ignore_comment(project):
    assert ignored(project, "x = 1  # migrate-tf: ignore[MTF101]\n", 1) == (
        "x = 1  # migrate-tf: ignore[MTF101,MTF201]\n"
    )
    assert ignored(project, "x = 1  # migrate-tf: ignore[MTF101, MTF102]\n", 1) == (
        "x = 1  # migrate-tf: ignore[MTF101, MTF102, MTF201]\n"
    )
    assert ignored(project, "x = 1  # migrate-tf: ignore\n", 1) is None
    assert ignored(project, "x = 1  # migrate-tf: ignore[MTF2]\n", 1) is None


def test_ignore_goes_after_another_comment(project):
    assert ignored(project, "x = 1  # noqa: E501\n", 1) == (
        "x = 1  # noqa: E501  # migrate-tf: ignore[MTF201]\n"
    )


def test_ignore_never_lands_inside_a_string_or_after_a_backslash(project):
    text = 'x = f("""a\nb""", 1 + \\\n    2)\ny = 3\n'
    assert ignored(project, text, 1) == (
        'x = f("""a\nb""", 1 + \\\n    2)  # migrate-tf: ignore[MTF201]\ny = 3\n'
    )


def test_ignoring_a_finding_and_a_conversion_removes_them(project):
    analysis = analysed(project)
    [finding] = analysis.findings
    dense = next(c for c in analysis.conversions if c.old == "dense")
    edits = [
        analysis.ignore_edit(finding.line, finding.code),
        analysis.ignore_edit(dense.name_range.line, dense.code),
    ]
    edited = apply_edits(analysis.text, edits)
    assert 'def dense(x, units, scope="dense"):  # migrate-tf: ignore[MTF101]' in edited
    again = analysed(project, edited)
    assert again.findings == []
    assert sorted(c.old for c in again.conversions) == ["Scale", "bias"]


def test_what_the_pipeline_reports_matches_what_the_analysis_shows(project):
    result = migrate_source(TWO_FUNCTIONS_AND_A_LAYER, rules=all_rules(), settings=Settings())
    analysis = analysed(project)
    assert analysis.findings == result.findings
    assert [(c.code, c.line) for c in analysis.conversions] == [
        (c.code, c.line) for c in result.conversions
    ]


def test_every_finding_of_an_ignored_statement_is_dropped(project):
    # MTF201 finds this local variable while it reads the whole class, not while it
    # visits the statement; the ignore comment must silence it all the same, or the
    # "Ignore" action would do nothing.
    text = (
        "import tensorflow as tf\n"
        "class Scale(tf.keras.layers.Layer):\n"
        "    def __init__(self, start):\n"
        "        super().__init__()\n"
        "        v = tf.Variable(start)\n"
    )
    analysis = analysed(project, text)
    [finding] = analysis.findings
    edited = apply_edits(text, [analysis.ignore_edit(finding.line, finding.code)])
    assert edited.endswith("v = tf.Variable(start)  # migrate-tf: ignore[MTF201]\n")
    assert analysed(project, edited).findings == []


def test_the_command_line_does_not_import_pygls():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from migrate_tf.cli import main\n"
        "try:\n"
        "    main(['rules'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'pygls' not in sys.modules and 'lsprotocol' not in sys.modules, 'imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_lsp_without_pygls_says_how_to_install_it(monkeypatch):
    import sys

    from click.testing import CliRunner

    from migrate_tf.cli import main

    monkeypatch.setitem(sys.modules, "pygls", None)  # `import pygls` fails
    result = CliRunner().invoke(main, ["lsp"])
    assert result.exit_code == 1
    assert "pip install 'migrate-tf[lsp]'" in result.stderr


# Carrying an analysis over to a newer text ---------------------------------------------


def _where(analysis):
    """Every conversion and finding with all its positions."""
    conversions = [
        (c.code, c.kind, c.old, c.new, c.line, c.range, c.name_range) for c in analysis.conversions
    ]
    findings = [(f.code, f.message, f.line, f.column, f.range) for f in analysis.findings]
    return sorted(conversions), sorted(findings)


def test_line_shift_keeps_lines_before_a_change_and_moves_those_after():
    old = "a\nb\nc\nd\n"
    shift = LineShift.between(old, "a\nB\nB2\nc\nd\n")
    assert [shift.line(n) for n in (1, 2, 3, 4)] == [1, None, 4, 5]
    shift = LineShift.between(old, "a\nd\n")  # b and c deleted
    assert [shift.line(n) for n in (1, 2, 3, 4)] == [1, None, None, 2]
    shift = LineShift.between(old, old + "e\n")  # appended
    assert [shift.line(n) for n in (1, 2, 3, 4)] == [1, 2, 3, 4]
    shift = LineShift.between(old, "x\r\n" + old.replace("\n", "\r\n"))  # endings count
    assert [shift.line(n) for n in (1, 2, 3, 4)] == [None, None, None, None]
    # A span is kept only when the change is wholly before or after it.
    shift = LineShift.between(old, "a\nb\nB\nc\nd\n")
    assert shift.span(CodeRange(1, 1, 2, 2)) == CodeRange(1, 1, 2, 2)
    assert shift.span(CodeRange(3, 1, 4, 2)) == CodeRange(4, 1, 5, 2)
    assert shift.span(CodeRange(2, 1, 3, 1)) is False


@pytest.mark.parametrize(
    "at_line",
    [0, 2, 8, 14, len(TWO_FUNCTIONS_AND_A_LAYER.splitlines())],
    ids=["top", "after-import", "between-functions", "before-class", "end"],
)
def test_comment_lines_between_definitions_carry_everything_to_where_it_now_is(project, at_line):
    lines = TWO_FUNCTIONS_AND_A_LAYER.splitlines(keepends=True)
    edited = "".join(lines[:at_line] + ["# a note\n", "\n"] + lines[at_line:])
    before = analysed(project)
    after = analyse(edited, project / "ops.py", projects=Projects(), version=2)
    carried = before.carried_to(edited, 2)
    assert carried.version == 2 and carried.analysed_version == 1
    assert _where(carried) == _where(after)
    assert _where(after) != _where(before) or at_line == len(lines)


@settings(max_examples=60, deadline=None)
@given(at_line=st.integers(0, 24), count=st.integers(1, 3))
def test_what_is_carried_over_is_what_the_new_analysis_finds(at_line, count, tmp_path_factory):
    project = tmp_path_factory.mktemp("carry")
    (project / "pyproject.toml").write_text("[tool.migrate-tf]\n")
    lines = TWO_FUNCTIONS_AND_A_LAYER.splitlines(keepends=True)
    at_line = min(at_line, len(lines))
    edited = "".join(lines[:at_line] + ["# note\n"] * count + lines[at_line:])
    before = analysed(project)
    after = analyse(edited, project / "ops.py", projects=Projects(), version=2)
    carried_conversions, carried_findings = _where(before.carried_to(edited, 2))
    conversions, findings = _where(after)
    # Nothing carried over is stale or misplaced; what the edit touched is left out.
    assert set(carried_conversions) <= set(conversions)
    assert set(carried_findings) <= set(findings)
    touched = [c for c in before.conversions if c.range.line <= at_line < c.range.end_line]
    assert len(carried_conversions) == len(conversions) - len(touched)


def test_an_edited_definition_is_left_out_and_ignore_edits_use_the_new_text(project):
    before = analysed(project)
    edited = TWO_FUNCTIONS_AND_A_LAYER.replace("        return x + b\n", "        y = x + b\n        return y\n")
    carried = before.carried_to(edited, 2)
    assert [c.old for c in carried.conversions] == ["dense", "Scale"]
    assert [c.line for c in carried.conversions] == [4, 17]  # Scale moved down one line
    [finding] = carried.findings
    assert finding.line == before.findings[0].line + 1
    edit = carried.ignore_edit(finding.line, "MTF201")
    line = edited.splitlines()[finding.line - 1]
    assert edit.start == (finding.line - 1, len(line)) and edit.text.endswith("ignore[MTF201]")
    assert carried.changed and carried.error is None
