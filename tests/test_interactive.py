"""``migrate-tf diff --interactive``: hunks, their grouping, the review loop, the command.

The end-to-end tests drive the real command through a pseudo-terminal (``pty``), on
real golden inputs, and answer its prompts as a person would.
"""

from __future__ import annotations

import ast
import fcntl
import itertools
import os
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.config import Settings
from migrate_tf.engine.interactive import (
    CHOICES,
    HELP,
    Console,
    Edit,
    FilePlan,
    Hunk,
    global_references,
    module_bindings,
    plan_file,
    plan_result,
    review_file,
    review_paths,
    undefined_names,
)
from migrate_tf.engine.pipeline import validate_output
from migrate_tf.engine.runner import migrate_data
from migrate_tf.rules import all_rules

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLDEN = REPO_ROOT / "golden"
EXAMPLE_LAYERS = REPO_ROOT / "examples" / "speech_model" / "speech_model" / "layers.py"
TWO_MODULES = GOLDEN / "MTF202-nested-module" / "modules-holding-modules"
NEEDS_IMPORT = GOLDEN / "MTF201-untracked-variable-attribute" / "explicit-dtype-float64"
SWAPS_IMPORT = GOLDEN / "MTF201-untracked-variable-attribute" / "fill-constant-from-layers-import"
CALLS_ANOTHER = GOLDEN / "MTF101-scoped-function-to-layer" / "scope-or-literal-rnn-linear"
PROMPT_END = f"[{CHOICES}]? "


def _plan(path: Path | str, source: bytes | None = None) -> FilePlan:
    data = Path(path).read_bytes() if source is None else source
    rules = all_rules()
    result = migrate_data(data, str(path), rules=rules, settings=Settings())
    assert result.changed, path
    return plan_result(result, rules=rules, settings=Settings())[0]


def _combined(*cases: str) -> str:
    """Several golden inputs as one module: their imports once, then their code."""
    imports: list[str] = []
    bodies: list[str] = []
    for case in cases:
        lines = (GOLDEN / case / "before.py").read_text().splitlines(keepends=True)
        split = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith(("import ", "from ")))
        imports.extend(line for line in lines[:split] if line.strip() and line not in imports)
        bodies.append("".join(lines[split:]).strip("\n") + "\n")
    return "".join(imports) + "\n\n" + "\n\n".join(bodies)


COMBINED = _combined(
    "MTF201-untracked-variable-attribute/explicit-dtype-float64",
    "MTF201-untracked-variable-attribute/int-step-counter-non-trainable",
    "MTF201-untracked-variable-attribute/fill-constant-from-layers-import",
    "MTF207-positional-add-weight/add-variable-alias",
    "MTF206-variables-in-call/hasattr-guard-tf-variable",
)

# Two layers whose only use of `tf` is what the migration replaces: the import goes
# away only when both are migrated.
TWO_USERS_OF_TF = '''\
import tensorflow as tf
from tensorflow.keras.layers import Layer


class LearnedTemperature(Layer):
    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.temperature = tf.Variable(tf.fill([num_classes], 0.5), name="temperature")

    def call(self, logits):
        return logits / self.temperature


class LearnedOffset(Layer):
    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.offset = tf.Variable(tf.fill([num_classes], 0.25), name="offset")

    def call(self, logits):
        return logits + self.offset
'''


# Hunks and their grouping ---------------------------------------------------------------


def test_each_layer_class_is_its_own_hunk_and_the_import_goes_with_the_one_using_it():
    plan = _plan(EXAMPLE_LAYERS)
    assert len(plan.hunks) == 2
    first, second = plan.hunks
    assert first.codes == second.codes == ("MTF201",)
    assert "FrameNormalization" in first.notes[0] and "AttentionPooling" in second.notes[0]
    # `import keras` is not a hunk: it comes with AttentionPooling, which uses keras.
    assert [support.description for support in plan.supports] == ["+import keras"]
    assert first.needs == frozenset() and second.needs == frozenset({0})
    assert "import keras" not in plan.text({0})
    assert "\nimport keras\n" in plan.text({1})


def test_no_hunk_and_every_hunk_give_the_original_and_the_full_migration():
    plan = _plan(EXAMPLE_LAYERS)
    assert plan.text(()) == plan.source
    assert plan.text(range(len(plan.hunks))) == plan.output


def test_a_function_turned_layer_is_offered_together_with_its_caller():
    # gru_gates calls linear: converting one without the other leaves a call to a
    # function that no longer exists, or a class called as a function.
    plan = _plan(CALLS_ANOTHER / "before.py")
    assert len(plan.hunks) == 1
    notes = plan.hunks[0].notes
    assert any("linear -> Linear" in note for note in notes)
    assert any("gru_gates -> GruGates" in note for note in notes)


def test_an_import_replaced_by_another_is_split_into_an_added_and_a_removed_import():
    # `import tensorflow as tf` becomes `import keras` on the same line: two imports.
    plan = _plan(SWAPS_IMPORT / "before.py")
    assert len(plan.hunks) == 1
    added = [s for s in plan.supports if s.description == "+import keras"]
    removed = [s for s in plan.supports if s.description == "-import tensorflow as tf"]
    assert len(added) == 1 and added[0].needed_by == frozenset({0})
    assert len(removed) == 1 and removed[0].requires == frozenset({0})
    assert plan.text({0}) == (SWAPS_IMPORT / "after.py").read_text()


def test_an_import_left_unused_is_removed_only_when_every_hunk_using_it_is_accepted():
    plan = _plan("two.py", TWO_USERS_OF_TF.encode())
    assert len(plan.hunks) == 2
    for accepted in ({0}, {1}):
        text = plan.text(accepted)
        assert "import tensorflow as tf\n" in text and "import keras\n" in text
        assert plan.problem(text) is None
    assert "import tensorflow as tf" not in plan.text({0, 1})
    assert plan.text({0, 1}) == plan.output


@pytest.mark.parametrize(
    "source",
    [
        EXAMPLE_LAYERS,
        REPO_ROOT / "examples" / "speech_model" / "speech_model" / "blocks.py",
        REPO_ROOT / "examples" / "speech_model" / "speech_model" / "transformer.py",
        TWO_MODULES / "before.py",
        NEEDS_IMPORT / "before.py",
        SWAPS_IMPORT / "before.py",
        CALLS_ANOTHER / "before.py",
        GOLDEN / "MTF203-lambda-variables" / "lambda-name-kept" / "before.py",
        GOLDEN / "MTF101-scoped-function-to-layer" / "share-reuse-variables-siamese" / "before.py",
        GOLDEN / "MTF205-variable-collections" / "two-models-split-by-scope" / "before.py",
        "combined",
        "two-users-of-tf",
    ],
    ids=lambda value: value if isinstance(value, str) else value.parent.name + "/" + value.name,
)
def test_every_combination_of_hunks_compiles_parses_and_defines_the_names_it_uses(source):
    if source == "combined":
        plan = _plan("combined.py", COMBINED.encode())
        assert len(plan.hunks) == 5  # one per class: they do not depend on each other
    elif source == "two-users-of-tf":
        plan = _plan("two.py", TWO_USERS_OF_TF.encode())
    else:
        plan = _plan(source)
    original_undefined = undefined_names(plan.source)
    assert original_undefined is not None
    count = len(plan.hunks)
    for size in range(count + 1):
        for accepted in itertools.combinations(range(count), size):
            text = plan.text(accepted)
            assert validate_output(text, "x.py") is None, accepted
            cst.parse_module(text)
            undefined = undefined_names(text)
            assert undefined is not None and undefined <= original_undefined, accepted
            assert plan.problem(text) is None, accepted


def test_the_safety_check_refuses_a_mix_that_leaves_a_name_undefined():
    source = "import tensorflow as tf\n\n\nx = tf.zeros([1])\n"
    output = "import keras\nimport tensorflow as tf\n\n\nx = keras.ops.zeros([1])\n"
    # A hand-made plan that forgets the import the hunk needs.
    plan = FilePlan(source, output, [Hunk(edits=(Edit(3, 4, ("x = keras.ops.zeros([1])\n",), 0),))], [])
    problem = plan.problem(plan.text({0}))
    assert problem is not None and "`keras`" in problem
    # plan_file does not forget it.
    planned = plan_file(source, output)
    assert planned.text({0}) == output and planned.problem(output) is None


def test_a_change_inside_a_statement_spanning_lines_is_never_split():
    source = "import tensorflow as tf\n\nx = f(\n    1,\n    2,\n    3,\n    4,\n    5,\n    6,\n    7,\n    8,\n    OLD,\n)\ny = OLD\n"
    output = source.replace("OLD", "NEW")
    plan = plan_file(source, output)
    # Two top-level statements changed: two hunks, each a whole statement.
    assert len(plan.hunks) == 2
    assert [(e.start, e.end) for e in plan.hunks[0].edits] == [(2, 13)]
    assert [(e.start, e.end) for e in plan.hunks[1].edits] == [(13, 14)]


def test_a_notebook_is_one_hunk_all_or_nothing():
    from migrate_tf.engine.runner import FileResult

    before = b'{"cells": [{"source": ["x = 1\\n"]}]}\n'
    after = b'{"cells": [{"source": ["x = 2\\n"]}]}\n'
    result = FileResult(path="n.ipynb", status="changed", data=before, output=after, applied=("MTF201",))
    plan, decoded = plan_result(result, rules=all_rules(), settings=Settings())
    assert len(plan.hunks) == 1 and plan.supports == []
    assert plan.hunks[0].codes == ("MTF201",)
    assert decoded.encode(plan.text({0})) == after and plan.problem(plan.text({0})) is None
    assert plan.text(()) == before.decode()


def test_module_bindings_and_global_references_follow_python_scopes():
    source = (
        "import a.b\n"
        "from c import d as e\n"
        "x, *y = 1, 2\n"
        "try:\n    import z\nexcept ImportError as error:\n    z = None\n"
        "def f(p, q=x):\n    local = p + q + g\n    return [i for i in e if local]\n"
        "class K(Base):\n    attr = 1\n    other = attr + top\n"
        "    def m(self):\n        return attr\n"
        "counter += 1\n"
    )
    tree = ast.parse(source)
    bound = {name for name, _ in module_bindings(tree)}
    assert bound == {"a", "e", "x", "y", "z", "error", "f", "K", "counter"}
    read = {name for name, _ in global_references(tree, source, "m.py")}
    # Parameters, locals, comprehension variables and class attributes read in the
    # class body are not global; `attr` read inside a method is (builtins are too).
    assert read == {"x", "g", "e", "Base", "top", "attr", "counter", "ImportError"}
    assert undefined_names(source) == {"g", "Base", "top", "attr"}


# The review loop ------------------------------------------------------------------------


def _scripted(*answers: str | None):
    """A Console reading ``answers`` (None: end of input) and recording what it wrote."""
    written: list[str] = []
    queue = list(answers)

    def read_line():
        assert queue, "the review asked more questions than the test answers"
        return queue.pop(0)

    return Console(write=written.append, read_line=read_line, color=False), written, queue


def test_the_loop_applies_y_and_skips_n_and_prompts_like_git_add_p():
    plan = _plan("combined.py", COMBINED.encode())
    console, written, left = _scripted("y", "n", "y", "n", "n")
    review = review_file(plan, "pkg/combined.py", console)
    assert review.accepted == frozenset({0, 2}) and not review.quit and not left
    text = "".join(written)
    for number in range(1, 6):
        assert f"({number}/5) Apply this hunk to pkg/combined.py [y,n,a,d,q,?]? " in text
    assert text.startswith("--- a/pkg/combined.py\n+++ b/pkg/combined.py\n# MTF201 ")
    assert "\x1b[" not in text


def test_the_loop_a_applies_the_rest_and_d_skips_the_rest():
    plan = _plan("combined.py", COMBINED.encode())
    console, written, left = _scripted("n", "a")
    assert review_file(plan, "c.py", console).accepted == frozenset({1, 2, 3, 4})
    assert not left and "(3/5)" not in "".join(written)
    console, written, left = _scripted("y", "d")
    assert review_file(plan, "c.py", console).accepted == frozenset({0})
    assert not left and "(3/5)" not in "".join(written)


def test_the_loop_q_stops_and_keeps_what_was_accepted():
    plan = _plan("combined.py", COMBINED.encode())
    console, written, left = _scripted("y", "q")
    review = review_file(plan, "c.py", console)
    assert review.accepted == frozenset({0}) and review.quit and not review.end_of_input
    assert not left and "(3/5)" not in "".join(written)


def test_the_loop_question_mark_and_unknown_answers_ask_again():
    plan = _plan(NEEDS_IMPORT / "before.py")
    console, written, left = _scripted("?", "maybe", "", "y")
    assert review_file(plan, "p.py", console).accepted == frozenset({0}) and not left
    text = "".join(written)
    assert HELP in text
    assert "unknown answer 'maybe'" in text
    assert text.count("(1/1) Apply this hunk to p.py") == 4


def test_the_loop_end_of_input_quits_with_what_was_accepted():
    plan = _plan("combined.py", COMBINED.encode())
    console, written, left = _scripted("y", None)
    review = review_file(plan, "c.py", console)
    assert review.accepted == frozenset({0}) and review.quit and review.end_of_input
    assert not left and "".join(written).endswith("[y,n,a,d,q,?]? \n")


def test_the_loop_shows_the_import_a_hunk_brings_and_colours_only_when_asked():
    plan = _plan(EXAMPLE_LAYERS)
    console, written, _ = _scripted("n", "y")
    review_file(plan, "layers.py", console)
    text = "".join(written)
    second = text[text.index("(1/2)"):]
    assert "# with the import it needs: +import keras" in second
    assert "\n+import keras\n" in second
    console, written, _ = _scripted("n", "n")
    console.color = True
    review_file(plan, "layers.py", console)
    text = "".join(written)
    assert "\x1b[32m+import keras\x1b[0m" in text and "\x1b[1;34m(2/2) Apply" in text


# End to end, through a pseudo-terminal ----------------------------------------------------


def _env(color: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.pop("NO_COLOR", None)
    if not color:
        env["NO_COLOR"] = "1"
    env["TERM"] = "dumb"
    return env


def _controlling_terminal() -> None:  # pragma: no cover - runs in the child
    # Make the pty the child's controlling terminal, so that ^C on it sends SIGINT.
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _drive(cwd: Path, *args: str, answers=(), color: bool = False, timeout: float = 90):
    """Run ``migrate-tf diff --interactive ARGS`` on a pty; type each answer when a
    prompt appears ("EOF": Ctrl-D, "^C": Ctrl-C). Returns (transcript, exit code)."""
    command = [sys.executable, "-m", "migrate_tf", "diff", "--interactive", *args]
    master, slave = os.openpty()
    try:
        process = subprocess.Popen(
            command, cwd=cwd, env=_env(color), stdin=slave, stdout=slave, stderr=slave,
            preexec_fn=_controlling_terminal,  # noqa: PLW1509 - the tests start no threads
        )
    finally:
        os.close(slave)
    output = b""
    answered = 0
    deadline = time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed its side
                    chunk = b""
                if not chunk:
                    break
                output += chunk
            prompts = output.decode(errors="replace").count(PROMPT_END)
            if prompts > answered and answered < len(answers):
                answer = answers[answered]
                answered += 1
                keys = {"EOF": b"\x04", "^C": b"\x03"}.get(answer, answer.encode() + b"\n")
                os.write(master, keys)
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("the interactive review did not finish:\n" + output.decode(errors="replace"))
    finally:
        os.close(master)
    code = process.wait(timeout=30)
    assert answered == len(answers), output.decode(errors="replace")
    return output.decode(errors="replace").replace("\r\n", "\n"), code


def _copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


def test_e2e_yes_and_no_write_exactly_the_accepted_hunks(tmp_path):
    path = _copy(TWO_MODULES / "before.py", tmp_path / "modules.py")
    plan = _plan(path)
    transcript, code = _drive(tmp_path, "modules.py", answers=["n", "y"])
    assert code == 0, transcript
    assert "(1/2) Apply this hunk to modules.py [y,n,a,d,q,?]? " in transcript
    assert "(2/2) Apply this hunk to modules.py [y,n,a,d,q,?]? " in transcript
    assert "modules.py: wrote 1 of 2 hunks" in transcript
    written = path.read_text()
    assert written == plan.text({1}) != plan.source
    assert "class Affine(tf.Module):" in written  # the first hunk was refused
    assert "class AffineStack(tf.keras.layers.Layer):" in written  # the second applied
    cst.parse_module(written)
    compile(written, "modules.py", "exec")
    assert "\x1b[" not in transcript  # NO_COLOR


def test_e2e_yes_to_a_class_that_needs_an_import_adds_the_import(tmp_path):
    single = _copy(NEEDS_IMPORT / "before.py", tmp_path / "affine.py")
    layers = _copy(EXAMPLE_LAYERS, tmp_path / "layers.py")
    transcript, code = _drive(tmp_path, "affine.py", "layers.py", answers=["y", "n", "y"])
    assert code == 0, transcript
    # The golden case: one hunk; yes gives exactly the golden after.py, import included.
    assert single.read_text() == (NEEDS_IMPORT / "after.py").read_text()
    assert "import keras\n" in single.read_text()
    # Two classes; only the second uses keras: no to the first, yes to the second.
    text = layers.read_text()
    assert text.startswith('"""Custom Keras layers of the keyword-spotting model."""\n\nimport keras\nimport tensorflow as tf\n')
    assert 'self.gain = tf.Variable(tf.ones([channels]), name="gain")' in text
    assert "initializer=keras.initializers.TruncatedNormal(stddev=0.02)" in text
    assert "# with the import it needs: +import keras" in transcript
    assert undefined_names(text) <= undefined_names(EXAMPLE_LAYERS.read_text())


def test_e2e_a_applies_the_rest_of_the_file_and_d_skips_the_rest(tmp_path):
    first = _copy(TWO_MODULES / "before.py", tmp_path / "a_modules.py")
    second = _copy(EXAMPLE_LAYERS, tmp_path / "b_layers.py")
    before = second.read_bytes()
    transcript, code = _drive(tmp_path, ".", answers=["a", "d"])
    assert code == 0, transcript
    assert first.read_text() == (TWO_MODULES / "after.py").read_text()
    assert "(2/2) Apply this hunk to a_modules.py" not in transcript  # `a`: not asked
    assert "(2/2) Apply this hunk to b_layers.py" not in transcript  # `d`: not asked
    assert second.read_bytes() == before
    assert "b_layers.py: nothing applied, left as it was" in transcript


def test_e2e_q_writes_the_current_files_accepted_hunks_and_leaves_the_rest(tmp_path):
    first = _copy(TWO_MODULES / "before.py", tmp_path / "a_modules.py")
    second = _copy(NEEDS_IMPORT / "before.py", tmp_path / "b_affine.py")
    before = second.read_bytes()
    plan = _plan(first)
    transcript, code = _drive(tmp_path, "a_modules.py", "b_affine.py", answers=["y", "q"])
    assert code == 0, transcript
    assert first.read_text() == plan.text({0})
    assert second.read_bytes() == before
    assert "quit: 1 more file not reviewed" in transcript
    assert "b_affine.py [y,n" not in transcript
    # With --check, changes left unapplied make the exit code 1.
    _copy(TWO_MODULES / "before.py", first)
    transcript, code = _drive(tmp_path, "--check", "a_modules.py", answers=["q"])
    assert code == 1, transcript


def test_e2e_question_mark_prints_the_help_and_asks_again(tmp_path):
    path = _copy(NEEDS_IMPORT / "before.py", tmp_path / "affine.py")
    transcript, code = _drive(tmp_path, "affine.py", answers=["?", "y"])
    assert code == 0, transcript
    assert "a - apply this hunk and all later hunks in the file" in transcript
    assert "q - quit; do not apply this hunk or any of the remaining ones" in transcript
    assert transcript.count("(1/1) Apply this hunk to affine.py") == 2
    assert path.read_text() == (NEEDS_IMPORT / "after.py").read_text()


def test_e2e_end_of_input_quits_safely(tmp_path):
    untouched = _copy(NEEDS_IMPORT / "before.py", tmp_path / "affine.py")
    before = untouched.read_bytes()
    transcript, code = _drive(tmp_path, "affine.py", answers=["EOF"])
    assert code == 0, transcript
    assert untouched.read_bytes() == before
    # Ctrl-D after a yes: like q, what was accepted is written, whole.
    path = _copy(TWO_MODULES / "before.py", tmp_path / "a_modules.py")  # reviewed first
    plan = _plan(path)
    transcript, code = _drive(tmp_path, "affine.py", "a_modules.py", answers=["y", "EOF"])
    assert code == 0, transcript
    assert path.read_text() == plan.text({0})
    assert untouched.read_bytes() == before
    assert "quit: 1 more file not reviewed" in transcript


def test_e2e_refusing_every_hunk_writes_nothing(tmp_path):
    path = _copy(EXAMPLE_LAYERS, tmp_path / "layers.py")
    before = path.read_bytes()
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    stat = path.stat()
    transcript, code = _drive(tmp_path, "layers.py", answers=["n", "n"])
    assert code == 0, transcript
    assert path.read_bytes() == before
    after = path.stat()
    assert (after.st_mtime_ns, after.st_ino) == (stat.st_mtime_ns, stat.st_ino)
    assert "layers.py: nothing applied, left as it was" in transcript
    assert sorted(os.listdir(tmp_path)) == ["layers.py"]  # no temporary left


def test_e2e_an_unused_import_is_kept_while_a_hunk_using_it_is_refused(tmp_path):
    path = tmp_path / "two.py"
    path.write_text(TWO_USERS_OF_TF)
    transcript, code = _drive(tmp_path, "two.py", answers=["y", "n"])
    assert code == 0, transcript
    text = path.read_text()
    assert "import tensorflow as tf\n" in text and "import keras\n" in text
    assert "# kept `import tensorflow as tf`: hunks you did not apply still use it" in transcript
    compile(text, "two.py", "exec")


def test_e2e_colour_on_a_terminal_unless_no_color(tmp_path):
    _copy(NEEDS_IMPORT / "before.py", tmp_path / "affine.py")
    transcript, code = _drive(tmp_path, "affine.py", answers=["n"], color=True)
    assert code == 0
    assert "\x1b[32m+import keras\x1b[0m" in transcript
    assert "\x1b[1;34m(1/1) Apply this hunk to affine.py" in transcript
    transcript, code = _drive(tmp_path, "affine.py", answers=["n"], color=False)  # NO_COLOR=1
    assert code == 0
    assert "+import keras\n" in transcript and "\x1b" not in transcript


def test_a_file_changed_during_the_review_is_not_overwritten(tmp_path):
    path = _copy(NEEDS_IMPORT / "before.py", tmp_path / "affine.py")
    edited = path.read_text() + "# edited while the review waited\n"

    def answer_after_an_edit():
        path.write_text(edited)
        return "y"

    errors: list[str] = []
    code = review_paths(
        [str(path)], settings=Settings(), rules=all_rules(), project_dir=None, jobs=1,
        quiet=False, check=False, no_progress=True,
        console=Console(write=lambda text: None, read_line=answer_after_an_edit),
        err=errors.append,
    )
    assert code == 1
    assert path.read_text() == edited
    assert f"{path}: error: changed on disk during the run; not overwritten" in errors


def test_e2e_ctrl_c_exits_130_with_finished_files_written_and_the_current_one_untouched(tmp_path):
    first = _copy(NEEDS_IMPORT / "before.py", tmp_path / "a_affine.py")
    second = _copy(TWO_MODULES / "before.py", tmp_path / "b_modules.py")
    before = second.read_bytes()
    transcript, code = _drive(tmp_path, ".", answers=["y", "y", "^C"])
    assert code == 130, transcript
    assert first.read_text() == (NEEDS_IMPORT / "after.py").read_text()
    assert second.read_bytes() == before  # its first hunk was accepted, nothing written
    assert "interrupted: 1 file written, each complete; b_modules.py was not written" in transcript
    assert sorted(os.listdir(tmp_path)) == ["a_affine.py", "b_modules.py"]


def test_interactive_needs_files_and_a_terminal(tmp_path):
    _copy(NEEDS_IMPORT / "before.py", tmp_path / "affine.py")
    base = [sys.executable, "-m", "migrate_tf", "diff", "--interactive"]
    for extra, message in [
        (["affine.py"], "stdin must be a terminal"),
        (["-"], "cannot take '-' (stdin)"),
        (["--report", "r.json", "affine.py"], "--report does not combine with --interactive"),
    ]:
        process = subprocess.run(
            base + extra, check=False, cwd=tmp_path, env=_env(), stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=60,
        )
        assert process.returncode == 2, process.stderr
        assert message in process.stderr
        assert process.stdout == ""
    assert (tmp_path / "affine.py").read_bytes() == (NEEDS_IMPORT / "before.py").read_bytes()
