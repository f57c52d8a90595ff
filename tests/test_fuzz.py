"""Property tests over generated programs (issue 8).

Programs come from hypothesmith (random Python from the grammar, and from libcst
nodes) and from mutations of the golden inputs (golden/*/*/before.py): tf/keras
aliases renamed consistently, keyword arguments reordered, comments and blank lines
added, everything nested in a class or an ``if`` block, string quotes swapped.

For every program:

* no exception escapes ``migrate_bytes`` (and so the runner), no rule crashes, and the
  engine's own last-resort errors ("internal error") never show;
* every output parses (libcst) and compiles;
* ``apply`` twice equals ``apply`` once;
* a file without any trigger token comes out byte-identical, through ``migrate_bytes``
  and even when every rule is run over it regardless of tokens (the pre-filter
  switched off);
* hypothesmith's programs after ``import tensorflow as tf``, every rule forced over
  them (they hold no trigger word, so otherwise no rule would see them): no rule
  crashes, the output compiles and parses, a second pass changes nothing.

``make test`` runs a short derandomized profile; ``make fuzz`` sets
MIGRATE_TF_FUZZ_EXAMPLES=10000 and a fixed ``--hypothesis-seed``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
import warnings
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st

from migrate_tf.config import Settings
from migrate_tf.engine import pipeline
from migrate_tf.engine.pipeline import decode_source, migrate_bytes, migrate_source
from migrate_tf.rules import all_rules

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLDEN = sorted(REPO_ROOT.glob("golden/*/*/before.py"))
SETTINGS = Settings()
LONG_EXAMPLES = int(os.environ.get("MIGRATE_TF_FUZZ_EXAMPLES", "0"))
# Generated programs often hold things like `"a" ()`, on which the compiler warns.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")


def fuzz_settings(short: int):
    """``short`` examples in ``make test`` (derandomized: the same every run), or
    MIGRATE_TF_FUZZ_EXAMPLES from the seed given on the command line (``make fuzz``)."""
    return settings(
        max_examples=LONG_EXAMPLES or short,
        derandomize=not LONG_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


@functools.lru_cache(maxsize=None)
def rules():
    return all_rules()


def triggers(data: bytes) -> bool:
    return any(token.encode() in data for rule in rules() for token in rule.TRIGGERS)


def migrate(data: bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return migrate_bytes(data, rules=rules(), settings=SETTINGS, filename="fuzzed.py")


def check_engine_properties(data: bytes) -> None:
    """The properties of issue 8 for one program's bytes."""
    first = migrate(data)  # an exception here fails the test: nothing may escape
    error = first.error or ""
    if first.changed:
        event(f"migrated by {', '.join(first.applied) or 'no rule named'}")
    elif first.error is not None:
        event(f"refused: {error.split(':')[0]}")
    else:
        event("unchanged" + ("" if triggers(data) else " (no trigger token)"))
    assert not error.startswith("internal error"), error
    assert " crashed: " not in error, error
    output = first.output if first.changed else data
    if first.error is not None or not first.changed:
        assert first.output == data
    if first.changed:
        text = decode_source(output).text
        cst.parse_module(text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "fuzzed.py", "exec", dont_inherit=True)
        second = migrate(output)
        note(f"migrated once:\n{text}")
        assert second.error is None, second.error
        assert not second.changed, "apply twice differs from apply once"
    if not triggers(data):
        assert output == data and not first.changed and first.error is None


# hypothesmith -----------------------------------------------------------------------------

#: The pre-filter's stages inside the pipeline: without them, every rule runs on every
#: program (hypothesmith's programs never hold a trigger word, so with them no rule
#: would ever see one).
_PREFILTER = ("triggered_by", "_outside_comments", "_mentioned_in_code")


@contextlib.contextmanager
def every_rule_runs():
    """Switch the trigger pre-filter off: every rule parses and visits every program."""
    saved = {name: getattr(pipeline, name) for name in _PREFILTER}
    pipeline.triggered_by = lambda rules, data: list(rules)
    pipeline._outside_comments = lambda data, token: True
    pipeline._mentioned_in_code = lambda text, rules: list(rules)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(pipeline, name, value)


def forced_migrate_source(source: str):
    with every_rule_runs(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return migrate_source(source, rules=rules(), settings=SETTINGS, filename="fuzzed.py")


def check_rules_leave_trigger_free_code_alone(source: str) -> None:
    """The token prefilter is a speed-up, not the guarantee: every rule, run over a
    program without any trigger token, leaves it as it is."""
    if triggers(source.encode("utf-8", "surrogatepass")):
        return
    result = forced_migrate_source(source)
    if result.parsed:
        event("every rule ran over it")
    assert result.output == source
    assert result.error is None or result.error.startswith("cannot parse"), result.error


TF_PRELUDE = "import tensorflow as tf\nfrom tensorflow import keras\n"


def check_rules_on_arbitrary_tf_code(source: str) -> None:
    """The program after TF imports, every rule forced over it: no rule crashes, the
    output compiles and parses, and a second pass changes nothing."""
    program = TF_PRELUDE + source
    first = forced_migrate_source(program)
    error = first.error or ""
    assert not error.startswith("internal error"), error
    assert " crashed: " not in error, error
    if first.error is not None or not first.changed:
        assert first.output == program
        return
    event(f"tf prelude: migrated by {', '.join(first.applied)}")
    note(f"migrated once:\n{first.output}")
    cst.parse_module(first.output)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compile(first.output, "fuzzed.py", "exec", dont_inherit=True)
    second = forced_migrate_source(first.output)
    assert second.error is None, second.error
    assert not second.changed, "apply twice differs from apply once"


@fuzz_settings(short=80)
@given(hypothesmith.from_grammar())
def test_programs_from_the_grammar(source):
    check_engine_properties(source.encode("utf-8", "surrogatepass"))
    check_rules_leave_trigger_free_code_alone(source)
    check_rules_on_arbitrary_tf_code(source)


@fuzz_settings(short=25)
@given(hypothesmith.from_node())
def test_programs_from_libcst_nodes(source):
    check_engine_properties(source.encode("utf-8", "surrogatepass"))
    check_rules_leave_trigger_free_code_alone(source)
    check_rules_on_arbitrary_tf_code(source)


def test_the_rules_really_run_when_the_pre_filter_is_off():
    # Without this, the two properties above could pass without any rule looking at
    # the program: a program with no trigger word is parsed only when forced.
    source = "x = 1\n"
    assert not migrate_source(source, rules=rules(), settings=SETTINGS).parsed
    assert forced_migrate_source(source).parsed
    # and the pre-filter is back afterwards
    assert not migrate_source(source, rules=rules(), settings=SETTINGS).parsed


# Mutations of the golden inputs ---------------------------------------------------------------

ALIAS_CANDIDATES = ("tf_", "tensorflow1", "T", "tflow", "K", "keras2", "kl", "layers_")


def _bound_names(module: cst.Module) -> list[str]:
    """Names bound by imports of tensorflow or keras."""
    names = []
    for node in module.body:
        if not isinstance(node, cst.SimpleStatementLine):
            continue
        for statement in node.body:
            if isinstance(statement, cst.Import):
                for alias in statement.names:
                    top = cst.helpers.get_full_name_for_node(alias.name) or ""
                    if top.split(".")[0] in ("tensorflow", "keras", "tf_keras"):
                        bound = alias.asname.name.value if alias.asname else top.split(".")[0]
                        names.append(bound)
            elif isinstance(statement, cst.ImportFrom) and statement.module is not None:
                top = cst.helpers.get_full_name_for_node(statement.module) or ""
                if top.split(".")[0] in ("tensorflow", "keras", "tf_keras") and not isinstance(
                    statement.names, cst.ImportStar
                ):
                    for alias in statement.names:
                        bound = alias.asname.name.value if alias.asname else alias.name.value
                        names.append(bound)
    return sorted(set(names))


class _RenameBinding(cst.CSTTransformer):
    """Rename an import binding and every use of it (not attributes, not keywords)."""

    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_ImportAlias(self, original, updated):
        bound = (
            original.asname.name.value
            if original.asname
            else (cst.helpers.get_full_name_for_node(original.name) or "").split(".")[0]
        )
        if bound != self.old:
            return updated
        return updated.with_changes(
            name=original.name,
            asname=cst.AsName(name=cst.Name(self.new)),
        )

    def leave_Name(self, original, updated):
        return updated.with_changes(value=self.new) if updated.value == self.old else updated

    def leave_Attribute(self, original, updated):
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original, updated):
        return updated.with_changes(keyword=original.keyword)

    def leave_Param(self, original, updated):
        return updated.with_changes(name=original.name)


def rename_alias(module: cst.Module, rnd: random.Random) -> cst.Module:
    names = _bound_names(module)
    if not names:
        return module
    old = rnd.choice(names)
    used = {node.value for node in _names(module)}
    free = [name for name in ALIAS_CANDIDATES if name not in used]
    if not free:
        return module
    return module.visit(_RenameBinding(old, rnd.choice(free)))


def _names(module: cst.Module):
    found = []

    class Collect(cst.CSTVisitor):
        def visit_Name(self, node):
            found.append(node)

    module.visit(Collect())
    return found


class _ShuffleKeywords(cst.CSTTransformer):
    def __init__(self, rnd: random.Random) -> None:
        super().__init__()
        self.rnd = rnd

    def leave_Call(self, original, updated):
        args = list(updated.args)
        slots = [i for i, arg in enumerate(args) if arg.keyword is not None and not arg.star]
        if len(slots) < 2 or self.rnd.random() < 0.3:
            return updated
        moved = [args[i] for i in slots]
        self.rnd.shuffle(moved)
        for slot, arg in zip(slots, moved):
            # each position keeps its own comma (and so the call's layout)
            args[slot] = arg.with_changes(comma=args[slot].comma)
        return updated.with_changes(args=args)


def reorder_keywords(module: cst.Module, rnd: random.Random) -> cst.Module:
    return module.visit(_ShuffleKeywords(rnd))


class _Comments(cst.CSTTransformer):
    def __init__(self, rnd: random.Random) -> None:
        super().__init__()
        self.rnd = rnd
        self.count = 0

    def _lines(self):
        lines = []
        for _ in range(self.rnd.choice((0, 0, 1, 2))):
            self.count += 1
            comment = self.rnd.random() < 0.6
            lines.append(
                cst.EmptyLine(comment=cst.Comment(f"# fuzz note {self.count}") if comment else None)
            )
        return lines

    def leave_SimpleStatementLine(self, original, updated):
        updated = updated.with_changes(leading_lines=[*self._lines(), *updated.leading_lines])
        if updated.trailing_whitespace.comment is None and self.rnd.random() < 0.2:
            self.count += 1
            updated = updated.with_changes(
                trailing_whitespace=cst.TrailingWhitespace(
                    whitespace=cst.SimpleWhitespace("  "),
                    comment=cst.Comment(f"# fuzz trailing {self.count}"),
                )
            )
        return updated

    def _compound(self, original, updated):
        return updated.with_changes(leading_lines=[*self._lines(), *updated.leading_lines])

    leave_FunctionDef = leave_ClassDef = leave_If = leave_With = leave_For = _compound


def add_comments(module: cst.Module, rnd: random.Random) -> cst.Module:
    return module.visit(_Comments(rnd))


def _is_future_import(statement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(s, cst.ImportFrom)
        and s.module is not None
        and cst.helpers.get_full_name_for_node(s.module) == "__future__"
        for s in statement.body
    )


def wrap_in_block(module: cst.Module, rnd: random.Random) -> cst.Module:
    body = list(module.body)
    head = 0
    while head < len(body) and _is_future_import(body[head]):
        head += 1
    rest = body[head:]
    if not rest:
        return module
    if rnd.random() < 0.5:
        block = cst.If(test=cst.Name("True"), body=cst.IndentedBlock(body=rest))
    else:
        block = cst.ClassDef(name=cst.Name("FuzzWrapper"), body=cst.IndentedBlock(body=rest))
    return module.with_changes(body=[*body[:head], block])


def wrap_one_statement(module: cst.Module, rnd: random.Random) -> cst.Module:
    body = list(module.body)
    candidates = [
        i for i, statement in enumerate(body)
        if isinstance(statement, (cst.ClassDef, cst.FunctionDef)) and not _is_future_import(statement)
    ]
    if not candidates:
        return module
    index = rnd.choice(candidates)
    body[index] = cst.If(
        test=cst.Name("True"), body=cst.IndentedBlock(body=[body[index]]),
        leading_lines=body[index].leading_lines,
    ) if rnd.random() < 0.5 else cst.ClassDef(
        name=cst.Name("Outer"), body=cst.IndentedBlock(body=[body[index]]),
        leading_lines=body[index].leading_lines,
    )
    return module.with_changes(body=body)


class _Quotes(cst.CSTTransformer):
    def __init__(self, rnd: random.Random) -> None:
        super().__init__()
        self.rnd = rnd

    def leave_SimpleString(self, original, updated):
        value = updated.value
        prefix_end = len(value) - len(value.lstrip("rbuRBU"))
        prefix, literal = value[:prefix_end], value[prefix_end:]
        if literal[:3] in ('"""', "'''") or len(literal) < 2 or self.rnd.random() < 0.3:
            return updated
        quote, body = literal[0], literal[1:-1]
        other = "'" if quote == '"' else '"'
        if other in body or "\\" in body:
            return updated
        return updated.with_changes(value=f"{prefix}{other}{body}{other}")


def swap_quotes(module: cst.Module, rnd: random.Random) -> cst.Module:
    return module.visit(_Quotes(rnd))


MUTATIONS = {
    "rename-alias": rename_alias,
    "reorder-keywords": reorder_keywords,
    "comments-and-blank-lines": add_comments,
    "nest-in-class-or-if": wrap_in_block,
    "nest-one-definition": wrap_one_statement,
    "swap-quotes": swap_quotes,
}


@functools.lru_cache(maxsize=None)
def golden_module(path: Path) -> cst.Module:
    return cst.parse_module(path.read_text(encoding="utf-8"))


@st.composite
def mutated_golden(draw) -> str:
    path = draw(st.sampled_from(GOLDEN))
    names = draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=4))
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    module = golden_module(path)
    for name in names:
        module = MUTATIONS[name](module, rnd)
    source = module.code
    note(f"{path.relative_to(REPO_ROOT)} with {names}")
    return source


def compiles(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "mutated.py", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


def test_there_are_golden_inputs_to_mutate():
    assert len(GOLDEN) >= 50


@fuzz_settings(short=200)
@given(mutated_golden())
def test_mutated_golden_inputs(source):
    assert compiles(source), "a mutation produced invalid Python"
    check_engine_properties(source.encode("utf-8"))


@fuzz_settings(short=60)
@given(mutated_golden(), st.sampled_from(["\r\n", "\t", "\ufeff", "latin-1"]))
def test_mutated_golden_inputs_in_other_encodings_and_layouts(source, variant):
    if variant == "\r\n":
        data = source.replace("\n", "\r\n").encode()
    elif variant == "\t":
        lines = source.splitlines(keepends=True)
        data = "".join(_tabs(line) for line in lines).encode()
        assume(compiles(data.decode()))
    elif variant == "\ufeff":
        data = b"\xef\xbb\xbf" + source.encode()
    else:
        try:
            data = b"# -*- coding: latin-1 -*-\n" + source.encode("latin-1")
        except UnicodeEncodeError:
            assume(False)
    check_engine_properties(data)


def _tabs(line: str) -> str:
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    return "\t" * (indent // 4) + " " * (indent % 4) + stripped
