"""Jupyter notebooks: apply, diff, stdin, reports, discovery and verify on ``.ipynb``.

The notebooks are written by hand in nbformat 4 style (the JSON ``nbformat`` and
Jupyter write: one-space indentation, sorted keys, non-ASCII characters written as
they are, a final newline), plus files in other styles (two-space indentation,
unsorted keys, escapes, no final newline) that re-serialising with ``json`` cannot
reproduce. The TF1 code is a golden MTF101 case split into cells.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import libcst as cst
import pytest
from click.testing import CliRunner

from migrate_tf.cli import main
from migrate_tf.config import Settings
from migrate_tf.engine.discovery import discover
from migrate_tf.engine.notebook import (
    NotebookFinding,
    migrate_notebook_text,
    read_notebook,
)
from migrate_tf.rules import all_rules
from migrate_tf.rules.base import Rule

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLDEN = REPO_ROOT / "golden" / "MTF101-scoped-function-to-layer" / "nested-scopes-own-variables"
BEFORE = (GOLDEN / "before.py").read_text()
AFTER = (GOLDEN / "after.py").read_text()
#: The function of before.py and the class of after.py, without their imports.
GLU_FUNCTION = BEFORE.split("\n\n\n", 1)[1].rstrip("\n")
GLU_CLASS = AFTER.split("\n\n\n", 1)[1].rstrip("\n")
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"


def nbformat_text(document: dict) -> str:
    """What nbformat (and so Jupyter) writes for ``document``."""
    return (
        json.dumps(document, sort_keys=True, indent=1, ensure_ascii=False, separators=(",", ": "))
        + "\n"
    )


def code(source: str, cell_id: str, *, outputs=(), execution_count=None, metadata=None) -> dict:
    return {
        "cell_type": "code",
        "execution_count": execution_count,
        "id": cell_id,
        "metadata": metadata or {},
        "outputs": list(outputs),
        "source": source.splitlines(keepends=True),
    }


def markdown(source: str, cell_id: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": source.splitlines(keepends=True)}


def notebook(*cells: dict) -> dict:
    return {
        "cells": list(cells),
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {
                "codemirror_mode": {"name": "ipython", "version": 3},
                "file_extension": ".py",
                "mimetype": "text/x-python",
                "name": "python",
                "nbconvert_exporter": "python",
                "pygments_lexer": "ipython3",
                "version": "3.11.7",
            },
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


STREAM = {"name": "stdout", "output_type": "stream", "text": ["épochs: 3\n", "done\n"]}
RESULT = {
    "data": {"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==\n",
             "text/plain": ["<tf.Tensor: shape=(4, 32)>"]},
    "execution_count": 4,
    "metadata": {"needs_background": "light"},
    "output_type": "execute_result",
}


def glu_notebook() -> dict:
    """The golden case as a notebook: imports (after a magic), the TF1 function in a
    cell of its own, a call in a later cell with outputs, and a %%time cell of TF1 code
    that must stay as it is."""
    return notebook(
        markdown("# Gated linear unit\n\nTF1 style, *épure*.", "intro"),
        code("%matplotlib inline\nimport numpy as np\nimport tensorflow as tf", "imports", execution_count=1),
        code(GLU_FUNCTION, "glu-def", execution_count=2),
        markdown("Call it:", "call-md"),
        code(
            "x = np.zeros([4, 64], dtype=np.float32)\n!nvidia-smi -L\ny = glu(x, 32)\ny?",
            "glu-call",
            outputs=[STREAM, RESULT],
            execution_count=4,
            metadata={"scrolled": True, "tags": ["keep-me"]},
        ),
        code(
            "%%time\nwith tf.variable_scope('untouched'):\n    w = tf.get_variable('w', [1])",
            "cell-magic",
        ),
    )


@pytest.fixture
def run(tmp_path, monkeypatch):
    """``migrate-tf ARGS`` in-process from ``tmp_path``, with the real rules."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    runner = CliRunner()

    def invoke(*args: str, input: bytes | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def migrate(text: str, rules=None, **options):
    return migrate_notebook_text(
        text, rules=rules or all_rules(), settings=Settings(), filename="nb.ipynb", **options
    )


def sources(text: str) -> list[str]:
    cells = json.loads(text)["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]


def without_sources(text: str) -> dict:
    document = json.loads(text)
    for cell in document["cells"]:
        cell.pop("source")
    return document


# apply and diff ---------------------------------------------------------------------------


def test_apply_migrates_the_tf1_function_across_cells_and_adds_the_import_to_the_import_cell(run, tmp_path):
    original = nbformat_text(glu_notebook())
    path = tmp_path / "nb.ipynb"
    path.write_text(original, encoding="utf-8")

    result = run("apply", "nb.ipynb")

    assert result.exit_code == 0, result.output
    new = path.read_text(encoding="utf-8")
    old_sources, new_sources = sources(original), sources(new)
    assert new_sources[1] == "%matplotlib inline\nimport keras\nimport numpy as np\nimport tensorflow as tf"
    assert new_sources[2] == GLU_CLASS
    # the call in another cell is the same module: reported, not left behind silently
    assert new_sources[4] == old_sources[4]
    assert result.stderr.splitlines() == [
        (
            "nb.ipynb:cell 5:3:5: MTF101 `glu(...)` is now the layer `Glu`: create `Glu(...)` "
            "once and call it on the tensors"
        ),
        "1 file scanned: 1 changed, 0 unchanged, 0 failed; 1 finding needs a person",
    ]
    # Jupyter would write exactly this file for the new sources
    expected = json.loads(original)
    for cell, source in zip(expected["cells"], new_sources):
        cell["source"] = source.splitlines(keepends=True)
    assert new == nbformat_text(expected)


def test_outputs_metadata_and_cell_ids_are_preserved(run, tmp_path):
    original = nbformat_text(glu_notebook())
    path = tmp_path / "nb.ipynb"
    path.write_text(original, encoding="utf-8")

    assert run("apply", "nb.ipynb").exit_code == 0

    new = path.read_text(encoding="utf-8")
    assert new != original
    assert without_sources(new) == without_sources(original)
    call = json.loads(new)["cells"][4]
    assert call["outputs"] == [STREAM, RESULT]
    assert call["metadata"] == {"scrolled": True, "tags": ["keep-me"]}
    assert [c["id"] for c in json.loads(new)["cells"]] == [
        "intro", "imports", "glu-def", "call-md", "glu-call", "cell-magic",
    ]
    # written as Jupyter writes: literal non-ASCII, one-space indent, final newline
    assert '"épochs: 3\\n"' in new and new.endswith("}\n") and '\n "cells": [\n  {\n' in new


def test_diff_shows_each_changed_cell_under_its_number_and_writes_nothing(run, tmp_path):
    original = nbformat_text(glu_notebook())
    path = tmp_path / "nb.ipynb"
    path.write_text(original, encoding="utf-8")

    result = run("diff", "nb.ipynb")

    assert result.exit_code == 0
    assert path.read_text(encoding="utf-8") == original
    lines = result.stdout.splitlines()
    headers = [line for line in lines if line.startswith(("--- ", "+++ "))]
    assert headers == [
        "--- a/nb.ipynb:cell 2",
        "+++ b/nb.ipynb:cell 2",
        "--- a/nb.ipynb:cell 3",
        "+++ b/nb.ipynb:cell 3",
    ]
    assert lines[2:7] == [
        "@@ -1,3 +1,4 @@",
        " %matplotlib inline",
        "+import keras",
        " import numpy as np",
        " import tensorflow as tf",
    ]
    assert '-def glu(x, units, scope="glu"):' in lines
    assert "+class Glu(keras.layers.Layer):" in lines
    # cells end without a line break: no "\ No newline at end of file" noise
    assert "\\ No newline at end of file" not in result.stdout
    assert "1 would change" in result.stderr
    assert run("diff", "--check", "nb.ipynb").exit_code == 1


def test_stdin_with_an_ipynb_filename_reads_and_writes_notebook_json(run, tmp_path):
    original = nbformat_text(glu_notebook())

    result = run("apply", "-", "--stdin-filename", "nb.ipynb", input=original.encode())

    assert result.exit_code == 0
    migrated = result.stdout_bytes.decode("utf-8")
    assert sources(migrated)[2] == GLU_CLASS
    assert migrated == migrate(original).output
    assert result.stderr.startswith("nb.ipynb:cell 5:3:5: MTF101 ")
    diff = run("diff", "-", "--stdin-filename", "nb.ipynb", input=original.encode())
    assert "--- a/nb.ipynb:cell 3\n+++ b/nb.ipynb:cell 3\n" in diff.stdout


# IPython syntax --------------------------------------------------------------------------

MAGIC_CELL = """\
%load_ext autoreload
%autoreload 2
!pip install -q numpy
files = !ls -1
a, b = %who_ls
import tensorflow as tf
tf.matmul?
??tf.sigmoid
%time \\
   sum(range(3))
if True:
    %timeit -n1 sum([1])
/print 1 2
,print a b
;print c
template = '''
%not a magic in a string
!nor this
'''
total = ('%d'
         % 5)"""

CELL_MAGICS = [
    "%%bash\necho 'def glu(x): tf.get_variable(\"w\", [1])'",
    "%%time\nwith tf.variable_scope('s'):\n    v = tf.get_variable('v', [1])",
    "\n%%capture out\ntf.compat.v1.get_variable('z', [1])",
]


def test_magics_of_every_kind_survive_and_cell_magic_cells_are_left_whole():
    text = nbformat_text(
        notebook(
            code(MAGIC_CELL, "magics"),
            code("%env TF_CPP_MIN_LOG_LEVEL=2\n" + GLU_FUNCTION + "\n%who", "glu"),
            *(code(source, f"cell-magic-{n}") for n, source in enumerate(CELL_MAGICS)),
        )
    )

    result = migrate(text)

    assert result.error is None and result.changed
    new = sources(result.output)
    assert new[0] == MAGIC_CELL.replace("import tensorflow", "import keras\nimport tensorflow")
    assert new[1] == "%env TF_CPP_MIN_LOG_LEVEL=2\n" + GLU_CLASS + "\n%who"
    assert new[2:] == CELL_MAGICS
    # the magics were neither Python to the rules nor touched: each came back once
    assert result.output.count("%autoreload 2") == 1


def test_a_magic_inside_a_converted_function_moves_with_its_code():
    function = GLU_FUNCTION.replace(
        "        return (", "        %time sum([1])\n        return ("
    )
    result = migrate(nbformat_text(notebook(code("import tensorflow as tf", "i"), code(function, "f"))))

    assert result.error is None
    new = sources(result.output)[1]
    assert "    def call(self, x):\n        %time sum([1])\n        return (" in new


def test_an_unparsable_cell_is_reported_with_its_number_and_line_and_the_file_is_untouched(run, tmp_path):
    document = glu_notebook()
    document["cells"].insert(3, code("ok = 1\ndef broken(:\n    pass", "bad"))
    original = nbformat_text(document).encode()
    path = tmp_path / "nb.ipynb"
    path.write_bytes(original)
    inode = path.stat().st_ino

    result = run("apply", "nb.ipynb")

    assert result.exit_code == 1
    assert path.read_bytes() == original and path.stat().st_ino == inode
    assert "nb.ipynb: error: cannot parse: cell 4, line 2, column 12: invalid syntax" in (
        result.stderr.splitlines()
    )


def test_a_notebook_that_is_not_json_or_not_a_notebook_fails_cleanly(run, tmp_path):
    (tmp_path / "bad.ipynb").write_text('{"cells": ["import tensorflow", tf.variable_scope', encoding="utf-8")
    (tmp_path / "old.ipynb").write_text(
        json.dumps({"worksheets": [], "nbformat": 3, "x": "import tensorflow; tf.variable_scope"}), encoding="utf-8"
    )
    result = run("apply", "bad.ipynb", "old.ipynb")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors[0].startswith("bad.ipynb: error: cannot read the notebook: not valid JSON (line 1")
    assert errors[1].startswith("old.ipynb: error: cannot read the notebook: nbformat 3")


class _SwapFirstStatements(Rule):
    """A rule that moves code across the first cell boundary (for the refusal)."""

    CODE = "MTF990"
    NAME = "swap-first-statements"
    SUMMARY = "Swap the first two statements."
    TRIGGERS = ("tf",)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body = list(updated_node.body)
        body[0], body[1] = body[1], body[0]
        self.changed = True
        return updated_node.with_changes(body=body)


class _CopyEveryStatement(Rule):
    """A rule that duplicates the module (and so every magic placeholder)."""

    CODE = "MTF991"
    NAME = "copy-every-statement"
    SUMMARY = "Write the module twice."
    TRIGGERS = ("tf",)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        self.changed = True
        return updated_node.with_changes(body=[*updated_node.body, *updated_node.body])


@pytest.mark.parametrize(
    ("rule", "detail"),
    [
        (_SwapFirstStatements, "a statement of cell 1 moved to cell 2"),
        (_CopyEveryStatement, "the cell markers did not come back in order"),
    ],
)
def test_code_moved_across_a_cell_boundary_is_refused_not_guessed(rule, detail):
    text = nbformat_text(notebook(code("import tensorflow as tf", "a"), code("x = tf.ones([1])", "b")))

    result = migrate(text, rules=[rule])

    assert result.output == text and not result.changed
    assert result.error == (
        f"cannot migrate: a rule moved code across a cell boundary ({detail}); "
        "the notebook was left unchanged"
    )


def test_a_dropped_or_duplicated_magic_is_refused():
    notebook_ = read_notebook(nbformat_text(notebook(code("%time 1\nimport tensorflow as tf", "a"))))
    [placeholder] = notebook_.cells[0].magics
    with pytest.raises(ValueError, match="an IPython magic line was dropped, copied or changed"):
        notebook_.cells_from_module(notebook_.module.replace(placeholder + "\n", ""))
    with pytest.raises(ValueError, match="an IPython magic line was dropped, copied or changed"):
        notebook_.cells_from_module(notebook_.module + placeholder + "\n")


# JSON formatting --------------------------------------------------------------------------

#: Not what json.dumps writes: two-space indent, unsorted keys, a \\u escape next to a
#: literal non-ASCII character, an escaped slash, a float spelled 0.00001, inline lists,
#: no final newline.
OTHER_STYLE = """\
{
  "nbformat": 4,
  "nbformat_minor": 2,
  "metadata": {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "scale": 0.00001,
    "title": "caf\\u00e9 \\/ ü"
  },
  "cells": [
    {
      "id": "one",
      "cell_type": "code",
      "source": [
        "import tensorflow as tf"
      ],
      "metadata": {},
      "outputs": [],
      "execution_count": null
    },
    {
      "id": "two",
      "cell_type": "code",
      "source": [
@GLU@
      ],
      "metadata": {"collapsed": false},
      "outputs": [{"output_type": "stream", "name": "stdout", "text": ["\\u2713 ok"]}],
      "execution_count": 7
    }
  ]
}"""


def _other_style_source(lines: list[str], docstring_raw: str) -> str:
    literals = [
        docstring_raw if '"""' in line else json.dumps(line, ensure_ascii=False) for line in lines
    ]
    return ",\n".join("        " + literal for literal in literals)


def test_other_writers_json_is_kept_byte_for_byte_around_the_changed_cells(tmp_path, run):
    function = GLU_FUNCTION.replace("Gated linear unit;", "Gated linear unit \u2014 caf\u00e9;")
    docstring_raw = json.dumps(function.splitlines(True)[1], ensure_ascii=True)  # escaped
    assert "\\u2014" in docstring_raw
    original = OTHER_STYLE.replace(
        "@GLU@", _other_style_source(function.splitlines(True), docstring_raw)
    )
    document = json.loads(original)
    assert nbformat_text(document) != original  # json.dumps cannot reproduce this file
    path = tmp_path / "other.ipynb"
    path.write_text(original, encoding="utf-8")

    assert run("apply", "other.ipynb").exit_code == 0

    new = path.read_text(encoding="utf-8")
    cls = GLU_CLASS.replace("Gated linear unit;", "Gated linear unit \u2014 caf\u00e9;")
    assert new == OTHER_STYLE.replace(
        "@GLU@", _other_style_source(cls.splitlines(True), docstring_raw)
    ).replace('"import tensorflow as tf"', '"import keras\\n",\n        "import tensorflow as tf"')


@pytest.mark.parametrize(
    "style",
    [
        "nbformat",
        "two-space, unsorted, ASCII escapes, no final newline",
        "compact one line",
        "string sources, CRLF inside",
        "BOM",
    ],
)
def test_an_unchanged_notebook_is_never_rewritten_and_round_trips_byte_for_byte(style, tmp_path, run):
    # TensorFlow code with nothing to convert: every rule is triggered, none rewrites.
    document = notebook(
        markdown("Übersicht", "m"),
        code("import tensorflow as tf\nx = tf.ones([2])\n%time tf.reduce_sum(x)", "c", outputs=[STREAM]),
    )
    if style == "nbformat":
        text = nbformat_text(document)
    elif style.startswith("two-space"):
        text = json.dumps(document, indent=2, ensure_ascii=True)
    elif style == "compact one line":
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    elif style.startswith("string sources"):
        for cell in document["cells"]:
            cell["source"] = "".join(cell["source"]).replace("\n", "\r\n")
        text = nbformat_text(document)
    else:
        text = "\ufeff" + nbformat_text(document)
    path = tmp_path / "same.ipynb"
    path.write_bytes(text.encode("utf-8"))
    before = path.stat()

    result = run("apply", "same.ipynb")

    assert result.exit_code == 0 and "1 unchanged" in result.stderr
    after = path.stat()
    assert path.read_bytes() == text.encode("utf-8")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # in memory too: nothing to write, so the output is the input
    assert migrate(text).output == text


@pytest.mark.parametrize("form", ["list", "string"])
def test_a_changed_cell_keeps_its_source_form_in_every_json_style(form):
    document = notebook(code("import tensorflow as tf", "a"), code(GLU_FUNCTION, "b"))
    if form == "string":
        for cell in document["cells"]:
            cell["source"] = "".join(cell["source"])
    for dump in (
        nbformat_text,
        lambda d: json.dumps(d, indent=2, ensure_ascii=True),
        lambda d: json.dumps(d),
        lambda d: json.dumps(d, separators=(",", ":")),
    ):
        text = dump(document)
        result = migrate(text)
        assert result.error is None
        new = json.loads(result.output)
        expected = json.loads(text)
        if form == "string":
            expected["cells"][0]["source"] = "import keras\nimport tensorflow as tf"
            expected["cells"][1]["source"] = GLU_CLASS
        else:
            expected["cells"][0]["source"] = ["import keras\n", "import tensorflow as tf"]
            expected["cells"][1]["source"] = GLU_CLASS.splitlines(keepends=True)
        assert new == expected
        # the way the file was written is the way it is written back
        assert result.output == dump(expected)


# Positions and reports ----------------------------------------------------------------------


def test_findings_point_at_the_cell_in_text_and_json_and_at_the_file_in_sarif(run, tmp_path):
    original = nbformat_text(glu_notebook())
    (tmp_path / "nb.ipynb").write_text(original, encoding="utf-8")

    result = run("diff", "nb.ipynb", "--report", "report.json")
    run("diff", "nb.ipynb", "--report", "report.sarif")
    run("diff", "nb.ipynb", "--report", "report.md")

    assert "nb.ipynb:cell 5:3:5: MTF101 " in result.stderr
    [finding] = json.loads((tmp_path / "report.json").read_text())["files"][0]["findings"]
    json_lines = original.splitlines()
    assert finding["cell"] == 5 and finding["line"] == 3 and finding["column"] == 5
    assert json_lines[finding["json_line"] - 1][finding["json_column"] - 1 :].startswith('glu(x, 32)\\n"')

    sarif = json.loads((tmp_path / "report.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    results = sarif["runs"][0]["results"]
    warning = next(r for r in results if r["level"] == "warning")
    region = warning["locations"][0]["physicalLocation"]["region"]
    line = json_lines[region["startLine"] - 1]
    assert region["startLine"] == region["endLine"] == finding["json_line"]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "glu(x, 32)"
    assert warning["message"]["text"].endswith("(cell 5:3:5)")
    note = next(r for r in results if r["level"] == "note")
    region = note["locations"][0]["physicalLocation"]["region"]
    assert json_lines[region["startLine"] - 1][region["startColumn"] - 1 : region["endColumn"] - 1] == "glu"
    assert note["message"]["text"].endswith("(cell 3:1)")

    markdown_report = (tmp_path / "report.md").read_text()
    assert "| cell 5:3 | 5 | MTF101 |" in markdown_report


def test_a_finding_maps_through_escapes_and_non_ascii_to_the_json_column():
    cell = 'label = "\u00e9\\t\U0001F600"; y = glu(x, 32)'
    text = json.dumps(
        notebook(code("import tensorflow as tf\nx = tf.ones([4, 64])", "a"), code(GLU_FUNCTION, "b"), code(cell, "c")),
        indent=1, ensure_ascii=True,
    )
    [finding] = migrate(text).findings
    assert isinstance(finding, NotebookFinding)
    assert (finding.cell, finding.cell_line, finding.cell_column) == (3, 1, cell.index("glu") + 1)
    line = text.splitlines()[finding.line - 1]
    assert line[finding.column - 1 :].startswith("glu(x, 32)")
    assert line[finding.range.column - 1 : finding.range.end_column - 1] == "glu(x, 32)"


# Discovery ----------------------------------------------------------------------------------


def test_directory_walks_find_notebooks_but_not_checkpoints_or_ignored_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    for name in ("a.ipynb", "b.py", ".ipynb_checkpoints/a-checkpoint.ipynb", "scratch/s.ipynb", "c.txt"):
        (tmp_path / "proj" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "proj" / name).write_text("{}")
    (tmp_path / ".gitignore").write_text("proj/scratch/\n")

    assert discover(["proj"]).files == [os.path.join("proj", "a.ipynb"), os.path.join("proj", "b.py")]
    assert discover(["proj"], exclude=["*.ipynb"]).files == [os.path.join("proj", "b.py")]
    named = os.path.join("proj", "scratch", "s.ipynb")
    assert discover([named]).files == [named]


# verify -------------------------------------------------------------------------------------


def test_verify_runs_the_old_and_new_code_cells_of_a_notebook(tmp_path, monkeypatch):
    pytest.importorskip("tensorflow")
    monkeypatch.chdir(tmp_path)
    document = notebook(
        markdown("# GLU", "m"),
        code("%matplotlib inline\nimport tensorflow as tf\n!echo ready", "i"),
        code(GLU_FUNCTION, "f"),
        code("%%time\nprint('not run by verify')", "t"),
    )
    (tmp_path / "nb.ipynb").write_text(nbformat_text(document), encoding="utf-8")
    (tmp_path / "migrate-tf.cases.toml").write_text('[glu]\nx = "float32[4, 64]"\nunits = 32\n')
    original = (tmp_path / "nb.ipynb").read_bytes()

    result = CliRunner().invoke(main, ["verify", "nb.ipynb", "--report", "verify.json"])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "nb.ipynb").read_bytes() == original
    row = next(line for line in result.stdout.splitlines() if "glu -> Glu" in line)
    assert row.startswith("nb.ipynb:cell 3:1 glu -> Glu") and row.rstrip().endswith("pass")
    [report_row] = json.loads((tmp_path / "verify.json").read_text())["rows"]
    assert (report_row["cell"], report_row["line"], report_row["verdict"]) == (3, 1, "pass")



@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_an_empty_source_list_gets_the_files_indentation_and_line_breaks(newline):
    # Code goes into an empty first cell (the import) and an empty list takes its layout
    # from the file, line breaks included.
    document = notebook(code("", "empty"), code(GLU_FUNCTION, "f"), code("import tensorflow as tf", "i"))
    text = nbformat_text(document).replace("\n", newline)

    result = migrate(text)

    expected = json.loads(text)
    expected["cells"][0]["source"] = ["import keras"]
    expected["cells"][1]["source"] = GLU_CLASS.splitlines(keepends=True)
    assert result.output == nbformat_text(expected).replace("\n", newline)


def test_new_imports_go_to_the_first_code_cell_that_has_imports():
    document = notebook(
        markdown("# Setup", "m"),
        code("%load_ext autoreload\n# the usual\nimport numpy as np", "numpy"),
        code("import tensorflow as tf\n\n\n" + GLU_FUNCTION, "tf-and-glu"),
    )

    result = migrate(nbformat_text(document))

    new = sources(result.output)
    assert new[1] == "%load_ext autoreload\n# the usual\nimport keras\nimport numpy as np"
    assert new[2] == "import tensorflow as tf\n\n\n" + GLU_CLASS
