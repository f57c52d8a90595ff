"""``migrate-tf diff --interactive``: review a migration hunk by hunk, as ``git add -p``.

Each changed file is cut into *hunks*, each is shown (coloured on a terminal, with the
rule codes, conversions and findings that concern it) and the answer decides whether
it is written: ``y`` apply, ``n`` skip, ``a`` apply this and the rest of the file,
``d`` skip the rest of the file, ``q`` quit, ``?`` help. Only accepted hunks are
written, atomically, by :mod:`migrate_tf.engine.writer`; the result must compile, parse
with LibCST and define every name its code uses, or nothing is written for that file.

How a file is cut (:func:`plan_file`)
-------------------------------------

The guarantee: *whatever the answers, the file written compiles, parses with
LibCST, and defines every module-level name its code reads that the original or the
migration defines* (no NameError for a name an accepted hunk uses or a refused one
still uses), unless the full migration itself reads that name undefined (then the
migration is trusted). It is about syntax and names: a hunk that keeps a name but changes what
it is (a class rewritten in place) is trusted to keep its interface, as the rules
do. Three steps give it:

1. **Regions.** The original and the migrated text are aligned line by line
   (difflib). A *cut* is a point of the alignment that lies between two top-level
   statements in both texts. The changes between two consecutive cuts form one
   region; applying a region replaces whole top-level statements of the original by
   whole top-level statements of the migration. Any mix of regions is therefore a
   sequence of complete top-level statements, each one valid Python: it compiles.
   (Two changes inside one class or function are always one region.)

2. **Imports are support, not hunks.** A region made of import statements only is
   split per statement (with its leading comments) into *support* pieces that are
   never asked about: an added import is applied exactly when a hunk that uses the
   name it binds is accepted; an import the migration removed because it became
   unused is removed only when every hunk that still used it in the original is
   accepted (otherwise it stays, and the review says so). A support piece that
   neither binds a needed name nor removes a used one is applied only when the whole
   file is accepted.

3. **Names.** Module-level bindings and the references that resolve to them
   (``symtable``: locals, parameters, class attributes and closures are not module
   names) are attributed to regions by line. For each name: if a region uses a name
   that only the migration defines, it needs the region (or import) defining it; if
   the migration removes a definition, the region removing it needs every region
   that still used it (a function turned into a layer class needs its callers'
   conversions); a definition changed on both sides (a class rewritten in place)
   keeps the regions that touch it together. Regions that need each other, directly
   or not, are merged into one hunk, so a hunk is offered together with the hunks
   it needs. An import that both adds a needed name and removes a used one is
   merged with its users too.

After the answers the file is checked once more before it is written
(:meth:`FilePlan.problem`): it must compile and parse with LibCST
(:func:`~migrate_tf.engine.pipeline.validate_output`) and must not leave a name
undefined that neither the original nor the full migration left undefined. If it
fails (it should not), nothing is written for that file and the error is printed.

Answers and files
-----------------

Files are migrated first (in worker processes when there are many), then reviewed
one at a time, in path order. A file is written as soon as its last hunk is decided.
``q`` (and end of input, Ctrl-D) stops the review: the hunks of the current file
accepted so far are written, later files are left alone. Ctrl-C stops at once: files
already written stay written (each one complete), the current file is not written.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import difflib
import os
import symtable
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence

from migrate_tf.engine.diff import colorize, split_lines, unified_diff_text

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
#: As the other commands: below this many files a progress bar would only flicker.
PROGRESS_MIN_FILES = 50

CHOICES = "y,n,a,d,q,?"
HELP = """\
y - apply this hunk
n - do not apply this hunk
a - apply this hunk and all later hunks in the file
d - do not apply this hunk or any of the later hunks in the file
q - quit; do not apply this hunk or any of the remaining ones
    (the hunks of this file accepted so far are written)
? - print help
Imports are not asked about: an added import comes with the first accepted hunk
that uses it, and an import left unused is removed only when every hunk that used
it is accepted.
"""

_RESET = "\x1b[0m"
_STYLE = {
    "header": "\x1b[1m",
    "rule": "\x1b[33m",
    "note": "\x1b[2m",
    "prompt": "\x1b[1;34m",
}
#: Names every module has without binding them.
_MODULE_NAMES = frozenset(
    {
        "__name__",
        "__file__",
        "__doc__",
        "__package__",
        "__spec__",
        "__loader__",
        "__builtins__",
        "__path__",
        "__cached__",
        "__annotations__",
        "__dict__",
    }
)


# The plan of one file ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Edit:
    """Replace the original lines ``[start, end)`` (0-based) by ``lines``.

    ``order`` is the edit's place in the alignment: edits at the same ``start``
    (an insertion next to a replacement) are applied in this order.
    """

    start: int
    end: int
    lines: tuple[str, ...]
    order: int


@dataclasses.dataclass
class Hunk:
    """One change offered for review: one or more regions that only go together."""

    edits: tuple[Edit, ...]
    #: Indices (into :attr:`FilePlan.supports`) of the imports this hunk needs.
    needs: frozenset[int] = frozenset()
    #: Rule codes of the change, and the lines that describe it (conversions, findings).
    codes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: The findings (lines of the original) inside the hunk, shown with it.
    findings: tuple = ()


@dataclasses.dataclass
class Support:
    """An import change that is never asked about (see the module documentation).

    Applied when a hunk of ``needed_by`` is accepted; one with ``requires`` only when
    all of those hunks are accepted; one with neither only with the whole file.
    """

    edits: tuple[Edit, ...]
    needed_by: frozenset[int] = frozenset()
    requires: frozenset[int] = frozenset()
    #: The import statements it removes (their first lines), for messages.
    removes: tuple[str, ...] = ()

    def applies(self, accepted: frozenset[int] | set[int], total: int) -> bool:
        if self.needed_by:
            return bool(self.needed_by & accepted)
        if self.requires:
            return self.requires <= accepted
        return len(accepted) == total

    @property
    def description(self) -> str:
        """``+import keras``, ``-import tensorflow as tf`` (first line of each)."""
        added = ["+" + _first_code_line(edit.lines) for edit in self.edits if edit.lines]
        return ", ".join(added + ["-" + line for line in self.removes])


@dataclasses.dataclass
class FilePlan:
    """A changed file cut into hunks (see :func:`plan_file`)."""

    source: str
    output: str
    hunks: list[Hunk]
    supports: list[Support]
    filename: str = "<file>"
    #: False for a file that is not Python source (a notebook's JSON): not checked
    #: as Python (the pipeline checked the full migration), never cut.
    python: bool = True

    def _source_lines(self) -> list[str]:
        return split_lines(self.source)

    def applied_supports(self, accepted: Iterable[int]) -> list[int]:
        chosen = frozenset(accepted)
        return [
            index
            for index, support in enumerate(self.supports)
            if support.applies(chosen, len(self.hunks))
        ]

    def text(self, accepted: Iterable[int]) -> str:
        """The file with the hunks ``accepted`` (indices) and the imports they bring."""
        chosen = frozenset(accepted)
        edits = [edit for index in sorted(chosen) for edit in self.hunks[index].edits]
        for index in self.applied_supports(chosen):
            edits.extend(self.supports[index].edits)
        return apply_edits(self._source_lines(), edits)

    def problem(self, text: str) -> str | None:
        """Why ``text`` (a mix of hunks) must not be written, or None."""
        from migrate_tf.engine.pipeline import validate_output

        if not self.python:
            return None if text in (self.source, self.output) else "not a whole migration"

        invalid = validate_output(text, self.filename)
        if invalid is not None:
            return f"the accepted hunks do not make valid code ({invalid})"
        undefined = undefined_names(text, self.filename)
        if undefined is None:
            return "the accepted hunks do not make valid code"
        known = (undefined_names(self.source, self.filename) or set()) | (
            undefined_names(self.output, self.filename) or set()
        )
        new = sorted(undefined - known)
        if new:
            names = ", ".join(f"`{name}`" for name in new)
            return f"the accepted hunks would leave {names} undefined"
        return None


def apply_edits(lines: Sequence[str], edits: Iterable[Edit]) -> str:
    """``lines`` with ``edits`` (non-overlapping original ranges) applied."""
    pieces: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.order)):
        pieces.extend(lines[position : edit.start])
        pieces.extend(edit.lines)
        position = max(position, edit.end)
    pieces.extend(lines[position:])
    return "".join(pieces)


def _first_code_line(lines: Sequence[str]) -> str:
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped
    return lines[0].strip() if lines else ""


# Python structure: top-level statements, module names and what refers to them --------


class _Side:
    """What one text (the original or the migration) looks like, line by line."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.lines = split_lines(text)
        count = len(self.lines)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.tree = ast.parse(text, filename)
        #: inside[k]: position k (before line k, 0-based) is strictly inside a statement.
        self.inside = [False] * (count + 1)
        #: statement[k]: line k belongs to a top-level statement (not blank or comment).
        self.statement = [False] * count
        #: import_line[k]: line k belongs to a top-level import statement.
        self.import_line = [False] * count
        for node in self.tree.body:
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
            end = node.end_lineno or node.lineno
            for position in range(start, end):
                self.inside[position] = True
            for line in range(start - 1, min(end, count)):
                self.statement[line] = True
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    self.import_line[line] = True

    def only_imports(self, start: int, end: int) -> bool:
        """Lines ``[start, end)`` are import statements, blank lines or comments."""
        return all(
            self.import_line[line] or not self.statement[line] for line in range(start, end)
        )

    def pieces(self, start: int, end: int) -> list[tuple[int, int]]:
        """``[start, end)`` (whole statements) cut after each statement; the lines
        before a statement (comments, blank lines) go with it, those after the last
        one with the last."""
        pieces = []
        first = start
        for position in range(start + 1, end + 1):
            if not self.inside[position] and self.statement[position - 1]:
                pieces.append((first, position))
                first = position
        if first < end:
            if pieces:
                pieces[-1] = (pieces[-1][0], end)
            else:
                pieces.append((first, end))
        return pieces


def module_bindings(tree: ast.Module) -> list[tuple[str, int]]:
    """(name, line) of every module-level binding: imports, definitions, assignments,
    also inside module-level ``if``/``try``/``for``/``with``, not inside functions or
    classes."""
    found: list[tuple[str, int]] = []

    def targets(node: ast.AST) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.Name):
                found.append((current.id, current.lineno))
            elif isinstance(current, ast.Starred):
                stack.append(current.value)
            elif isinstance(current, (ast.Tuple, ast.List)):
                stack.extend(current.elts)

    def expression(node: ast.AST | None) -> None:
        # Walrus targets at module level bind module names; nested scopes do not.
        if node is None:
            return
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.NamedExpr):
                targets(current.target)
            if isinstance(current, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            stack.extend(ast.iter_child_nodes(current))

    def statements(body: Sequence[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.append((node.name, node.lineno))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    name = alias.asname or alias.name.split(".")[0]
                    found.append((name, getattr(alias, "lineno", node.lineno)))
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    targets(target)
                expression(node.value)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                targets(node.target)
                expression(node.value)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                targets(node.target)
                expression(node.iter)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        targets(item.optional_vars)
                    expression(item.context_expr)
            elif isinstance(node, ast.Expr):
                expression(node.value)
            elif isinstance(node, (ast.If, ast.While)):
                expression(node.test)
            if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
                for handler in node.handlers:
                    if handler.name:
                        found.append((handler.name, handler.lineno))
                    statements(handler.body)
                statements(node.finalbody)
            if isinstance(node, ast.Match):
                expression(node.subject)
                for case in node.cases:
                    for sub in ast.walk(case.pattern):
                        name = getattr(sub, "name", None) or getattr(sub, "rest", None)
                        if isinstance(name, str):
                            found.append((name, sub.lineno))
                    statements(case.body)
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                statements(getattr(node, "body", ()))
                statements(getattr(node, "orelse", ()))

    statements(tree.body)
    return found


_COMPREHENSIONS = {
    ast.ListComp: "listcomp",
    ast.SetComp: "setcomp",
    ast.DictComp: "dictcomp",
    ast.GeneratorExp: "genexpr",
}


def global_references(tree: ast.Module, text: str, filename: str) -> list[tuple[str, int]]:
    """(name, line) of every read of a module-level (global) name, in any scope.

    Scopes come from :mod:`symtable`: a parameter, a local variable, a class
    attribute read in the class body or a closure variable is not a global read.
    Where a scope cannot be matched, its reads all count as global (more
    dependencies, never fewer).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            top = symtable.symtable(text, filename, "exec")
    except (SyntaxError, ValueError, RecursionError):
        top = None
    found: list[tuple[str, int]] = []
    pending: dict[int, tuple] = {}

    def child(table, name: str, line: int):
        if table is None:
            return None
        key = id(table)
        if key not in pending:
            index: dict[tuple[str, int], list] = {}
            for sub in table.get_children():
                index.setdefault((sub.get_name(), sub.get_lineno()), []).append(sub)
            # The table is kept alive with its index: an id is only unique while
            # its object lives.
            pending[key] = (table, index)
        tables = pending[key][1].get((name, line))
        return tables.pop(0) if tables else None

    def is_global(table, name: str) -> bool:
        if table is None or table.get_type() == "module":
            return True
        try:
            symbol = table.lookup(name)
        except KeyError:
            return True
        return symbol.is_global() or symbol.is_declared_global()

    def visit(node: ast.AST, table) -> None:
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, (ast.Load, ast.Del)) and is_global(table, node.id):
                found.append((node.id, node.lineno))
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in node.decorator_list:
                visit(sub, table)
            arguments = node.args
            for sub in [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]:
                visit(sub, table)
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                        arguments.vararg, arguments.kwarg]:
                if arg is not None and arg.annotation is not None:
                    visit(arg.annotation, table)
            if node.returns is not None:
                visit(node.returns, table)
            inner = child(table, node.name, node.lineno)
            for statement in node.body:
                visit(statement, inner)
            return
        if isinstance(node, ast.ClassDef):
            for sub in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
                visit(sub, table)
            inner = child(table, node.name, node.lineno)
            for statement in node.body:
                visit(statement, inner)
            return
        if isinstance(node, ast.Lambda):
            arguments = node.args
            for sub in [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]:
                visit(sub, table)
            visit(node.body, child(table, "lambda", node.lineno))
            return
        if type(node) in _COMPREHENSIONS:
            generators = node.generators
            # The first iterable is evaluated in the enclosing scope.
            visit(generators[0].iter, table)
            inner = child(table, _COMPREHENSIONS[type(node)], node.lineno)
            for index, generator in enumerate(generators):
                visit(generator.target, inner)
                if index:
                    visit(generator.iter, inner)
                for condition in generator.ifs:
                    visit(condition, inner)
            if isinstance(node, ast.DictComp):
                visit(node.key, inner)
                visit(node.value, inner)
            else:
                visit(node.elt, inner)
            return
        target = getattr(node, "target", None) if isinstance(node, ast.AugAssign) else None
        if isinstance(target, ast.Name) and is_global(table, target.id):
            found.append((target.id, target.lineno))  # `x += 1` reads x
        for sub in ast.iter_child_nodes(node):
            visit(sub, table)

    for statement in tree.body:
        visit(statement, top)
    return found


def undefined_names(text: str, filename: str = "<file>") -> set[str] | None:
    """Global names ``text`` reads but never binds at module level (nor builtins);
    None when it does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    bound = {name for name, _ in module_bindings(tree)}
    used = {name for name, _ in global_references(tree, text, filename)}
    return used - bound - set(dir(builtins)) - _MODULE_NAMES


# Cutting a file into hunks --------------------------------------------------------------


class _UnionFind:
    def __init__(self, count: int) -> None:
        self.parent = list(range(count))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, first: int, second: int) -> bool:
        a, b = self.find(first), self.find(second)
        if a == b:
            return False
        self.parent[max(a, b)] = min(a, b)
        return True


@dataclasses.dataclass
class _Unit:
    edit: Edit
    support: bool


def _regions(before: _Side, after: _Side) -> list[tuple[int, int, int, int]]:
    """``(i1, i2, j1, j2)``: the original lines ``[i1, i2)`` become the migrated lines
    ``[j1, j2)``; both are whole top-level statements (see the module documentation)."""
    matcher = difflib.SequenceMatcher(None, before.lines, after.lines, autojunk=False)

    def is_cut(i: int, j: int) -> bool:
        return not before.inside[i] and not after.inside[j]

    regions = []
    opened: tuple[int, int] | None = None
    last = (0, 0)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for step in range(i2 - i1 + 1):
                i, j = i1 + step, j1 + step
                if is_cut(i, j):
                    if opened is not None:
                        regions.append((opened[0], i, opened[1], j))
                        opened = None
                    last = (i, j)
            continue
        if is_cut(i1, j1):
            if opened is not None:
                regions.append((opened[0], i1, opened[1], j1))
                opened = None
            last = (i1, j1)
        if opened is None:
            opened = last
        if is_cut(i2, j2):
            regions.append((opened[0], i2, opened[1], j2))
            opened = None
            last = (i2, j2)
    if opened is not None:
        regions.append((opened[0], len(before.lines), opened[1], len(after.lines)))
    return regions


def _units(before: _Side, after: _Side) -> tuple[list[_Unit], list, list]:
    """The regions as units (import regions split into one unit per statement), and
    which unit owns each line of either side (None: the line is in every result)."""
    units: list[_Unit] = []
    before_owner: list[int | None] = [None] * len(before.lines)
    after_owner: list[int | None] = [None] * len(after.lines)

    def add(start: int, end: int, lines: Sequence[str], support: bool) -> int:
        units.append(_Unit(Edit(start, end, tuple(lines), len(units)), support))
        return len(units) - 1

    for i1, i2, j1, j2 in _regions(before, after):
        has_import = any(before.import_line[i1:i2]) or any(after.import_line[j1:j2])
        if not (has_import and before.only_imports(i1, i2) and after.only_imports(j1, j2)):
            unit = add(i1, i2, after.lines[j1:j2], support=False)
            before_owner[i1:i2] = [unit] * (i2 - i1)
            after_owner[j1:j2] = [unit] * (j2 - j1)
            continue
        # Imports: each statement on its own (unchanged ones stay as they are).
        old = before.pieces(i1, i2)
        new = after.pieces(j1, j2)
        matcher = difflib.SequenceMatcher(
            None,
            [tuple(before.lines[s:e]) for s, e in old],
            [tuple(after.lines[s:e]) for s, e in new],
            autojunk=False,
        )
        starts = [s for s, _ in old] + [i2]
        for tag, p1, p2, q1, q2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            for s, e in new[q1:q2]:
                unit = add(starts[p1], starts[p1], after.lines[s:e], support=True)
                after_owner[s:e] = [unit] * (e - s)
            for s, e in old[p1:p2]:
                unit = add(s, e, (), support=True)
                before_owner[s:e] = [unit] * (e - s)
    return units, before_owner, after_owner


def plan_file(
    source: str,
    output: str,
    *,
    filename: str = "<file>",
    conversions: Sequence = (),
    findings: Sequence = (),
    rule_names: Mapping[str, str] | None = None,
    rule_lines: Mapping[str, set[int]] | None = None,
) -> FilePlan:
    """Cut the change from ``source`` to ``output`` into hunks that can be accepted in
    any combination (see the module documentation).

    ``conversions`` and ``findings`` (of the pipeline, lines of ``source``) become the
    hunks' notes and codes; ``rule_names`` maps codes to rule names; ``rule_lines``
    gives, per rule code, the original lines that rule alone changes (for hunks no
    conversion describes).
    """
    try:
        before = _Side(source, filename)
        after = _Side(output, filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # Cannot happen for the pipeline's results; all or nothing then.
        edit = Edit(0, len(split_lines(source)), tuple(split_lines(output)), 0)
        return FilePlan(source, output, [Hunk(edits=(edit,))], [], filename)
    units, before_owner, after_owner = _units(before, after)
    groups = _group(units, before, after, before_owner, after_owner, filename)

    union, needs, requires = groups
    members: dict[int, list[int]] = {}
    for index in range(len(units)):
        members.setdefault(union.find(index), []).append(index)
    roots = sorted(members)
    code_roots = [root for root in roots if any(not units[i].support for i in members[root])]
    if not code_roots:
        # Nothing but imports changed: one hunk, all or nothing.
        edits = tuple(unit.edit for unit in units)
        return FilePlan(source, output, [Hunk(edits=edits)], [], filename)
    code_roots.sort(key=lambda root: min((units[i].edit.start, units[i].edit.order) for i in members[root]))
    hunk_of = {root: number for number, root in enumerate(code_roots)}
    support_roots = [root for root in roots if root not in hunk_of]
    support_of = {root: number for number, root in enumerate(support_roots)}

    supports = [
        Support(
            edits=tuple(units[i].edit for i in members[root]),
            needed_by=frozenset(hunk_of[r] for r in needs.get(root, ()) if r in hunk_of),
            requires=frozenset(hunk_of[r] for r in requires.get(root, ()) if r in hunk_of),
            removes=tuple(
                _first_code_line(before.lines[unit.edit.start : unit.edit.end])
                for unit in (units[i] for i in members[root])
                if unit.edit.end > unit.edit.start
            ),
        )
        for root in support_roots
    ]
    hunks = []
    for root in code_roots:
        hunk = Hunk(
            edits=tuple(units[i].edit for i in members[root]),
            needs=frozenset(
                support_of[r] for r, needers in needs.items() if r in support_of and root in needers
            ),
        )
        hunk.codes, hunk.notes, hunk.findings = _describe(hunk, conversions, findings, rule_names or {}, rule_lines)
        hunks.append(hunk)
    return FilePlan(source, output, hunks, supports, filename)


def _group(units, before: _Side, after: _Side, before_owner, after_owner, filename):
    """Merge units that must go together; returns (union-find, needs, requires):
    ``needs[support root]`` = hunk roots that need that import, ``requires[support
    root]`` = hunk roots that must all be accepted before it applies."""
    union = _UnionFind(len(units))
    edges: list[tuple[int, int]] = []  # (u, v): accepting u needs v

    def owners(pairs, owner_of) -> dict[str, set[int | None]]:
        table: dict[str, set[int | None]] = {}
        for name, line in pairs:
            owner = owner_of[line - 1] if 0 < line <= len(owner_of) else None
            table.setdefault(name, set()).add(owner)
        return table

    bound_before = owners(module_bindings(before.tree), before_owner)
    bound_after = owners(module_bindings(after.tree), after_owner)
    read_before = owners(global_references(before.tree, before.text, filename), before_owner)
    read_after = owners(global_references(after.tree, after.text, filename), after_owner)
    for name in sorted(set(bound_before) | set(bound_after)):
        old = bound_before.get(name, set())
        new = bound_after.get(name, set())
        if None in old or None in new:
            continue  # defined by a line every result keeps
        if old and new:
            # Defined differently on the two sides: all or none of those units.
            first, *rest = sorted(old | new)
            for other in rest:
                union.union(first, other)
        elif new:
            # Only the migration defines it: its users need its definition.
            definition = min(new)
            for user in read_after.get(name, set()) - {None} - new:
                edges.append((user, definition))
        else:
            readers = read_before.get(name, set())
            if None in readers:
                continue  # still read where nothing changes: the migration's own choice
            first, *rest = sorted(old)
            for other in rest:
                union.union(first, other)
            # Removing its definition needs every change that stops reading it.
            for reader in readers - old:
                edges.append((first, reader))

    while True:
        changed = False
        code: dict[int, bool] = {}  # root -> whether its units include a code region
        for index, unit in enumerate(units):
            root = union.find(index)
            code[root] = code.get(root, False) or not unit.support
        needs: dict[int, set[int]] = {}
        requires: dict[int, set[int]] = {}
        for first, second in edges:
            a, b = union.find(first), union.find(second)
            if a == b:
                continue
            if code[a] == code[b]:
                # Hunks that need each other are one hunk (likewise two imports).
                changed |= union.union(a, b)
            elif code[a]:
                needs.setdefault(b, set()).add(a)
            else:
                requires.setdefault(a, set()).add(b)
        if changed:
            continue
        for support in set(needs) & set(requires):
            # An import both needed by some hunks and removable only after others:
            # those hunks go together, with it.
            for other in needs[support] | requires[support]:
                changed |= union.union(support, other)
        if not changed:
            return union, needs, requires


def _describe(hunk: Hunk, conversions, findings, rule_names, rule_lines):
    """The hunk's rule codes and the lines that describe it: one per conversion
    (``MTF101 scoped-function-to-layer: conv_block -> ConvBlock``), or per rule when
    no conversion describes it, then one per finding inside it."""
    spans = [(edit.start + 1, max(edit.end, edit.start + 1)) for edit in hunk.edits]

    def touches(start: int, end: int) -> bool:
        return any(start <= span_end and span_start <= end for span_start, span_end in spans)

    codes: list[str] = []
    notes: list[str] = []
    for conversion in conversions:
        where = getattr(conversion, "range", None)
        start = where.line if where is not None else conversion.line
        end = where.end_line if where is not None else conversion.line
        if not touches(start, end):
            continue
        codes.append(conversion.code)
        what = conversion.old
        if conversion.new != conversion.old:
            what = f"{conversion.old} -> {conversion.new}"
        title = " ".join(filter(None, [conversion.code, rule_names.get(conversion.code)]))
        kind = conversion.kind.replace("-", " ")
        notes.append(f"{title}: {what} ({kind}, line {conversion.line})")
    if not codes and rule_lines:
        for code, lines in rule_lines.items():
            if any(touches(line, line) for line in lines):
                codes.append(code)
                notes.append(" ".join(filter(None, [code, rule_names.get(code)])))
    inside = tuple(finding for finding in findings if touches(finding.line, finding.line))
    for finding in inside:
        notes.append(
            f"finding, line {finding.line}: {finding.code} {finding.message} (needs a person)"
        )
    return tuple(dict.fromkeys(codes)), tuple(notes), inside


# The review loop --------------------------------------------------------------------------


@dataclasses.dataclass
class Console:
    """Where the review talks: ``write`` (text, no newline added), ``read_line``
    (one answer without its newline; None at end of input), and whether to colour."""

    write: Callable[[str], None]
    read_line: Callable[[], str | None]
    color: bool = False

    def styled(self, text: str, style: str) -> str:
        if not self.color or not text:
            return text
        return f"{_STYLE[style]}{text}{_RESET}"


@dataclasses.dataclass
class Review:
    """The answers for one file: accepted hunk indices, and whether to stop."""

    accepted: frozenset[int]
    quit: bool = False
    end_of_input: bool = False


def _hunk_text(plan: FilePlan, accepted: set[int], index: int, path: str) -> str:
    """The unified diff of accepting hunk ``index`` now (after the hunks accepted so
    far, with the imports that come with it), without file headers."""
    before = plan.text(accepted)
    after = plan.text(accepted | {index})
    if not plan.python:
        # A notebook: one diff per changed cell (migrate_tf.engine.diff knows how).
        from migrate_tf.engine.diff import unified_diff

        return unified_diff(path, before.encode("utf-8"), after.encode("utf-8"))
    diff = unified_diff_text(path, before, after)
    lines = split_lines(diff)
    return "".join(lines[2:])


def review_file(plan: FilePlan, path: str, console: Console) -> Review:
    """Ask about each hunk of ``plan``; returns the answers. Raises KeyboardInterrupt
    (Ctrl-C) through; end of input acts as ``q``."""
    accepted: set[int] = set()
    total = len(plan.hunks)
    name = path.replace(os.sep, "/")
    for header in (f"--- a/{name}", f"+++ b/{name}"):
        console.write(console.styled(header, "header") + "\n")
    index = 0
    while index < total:
        hunk = plan.hunks[index]
        notes = list(hunk.notes)
        if hunk.codes and not any(note.startswith(hunk.codes) for note in notes):
            notes.insert(0, ", ".join(hunk.codes))
        for note in notes:
            console.write(console.styled(f"# {note}", "rule") + "\n")
        new_imports = [
            plan.supports[s].description
            for s in sorted(hunk.needs)
            if not plan.supports[s].applies(frozenset(accepted), total)
        ]
        if new_imports:
            console.write(
                console.styled(f"# with the import it needs: {', '.join(new_imports)}", "note")
                + "\n"
            )
        diff = _hunk_text(plan, accepted, index, path)
        console.write(colorize(diff) if console.color else diff)
        while True:
            prompt = f"({index + 1}/{total}) Apply this hunk to {name} [{CHOICES}]? "
            console.write(console.styled(prompt, "prompt"))
            line = console.read_line()
            if line is None:
                console.write("\n")
                return Review(frozenset(accepted), quit=True, end_of_input=True)
            answer = line.strip().lower()[:1]
            if answer == "?":
                console.write(console.styled(HELP, "note"))
                continue
            if answer in ("y", "n", "a", "d", "q"):
                break
            if answer:
                console.write(f"unknown answer {line.strip()!r}; '?' prints the help\n")
        if answer == "y":
            accepted.add(index)
        elif answer == "a":
            accepted.update(range(index, total))
            break
        elif answer == "d":
            break
        elif answer == "q":
            return Review(frozenset(accepted), quit=True)
        index += 1
    return Review(frozenset(accepted))


# The command -------------------------------------------------------------------------------


@dataclasses.dataclass
class _Tally:
    written: int = 0
    failed: int = 0
    hunks: int = 0
    applied: int = 0
    #: Whether any change was left unapplied (declined, skipped or not reviewed).
    remaining: bool = False


def _rule_lines(source: str, codes: Sequence[str], rules, settings, filename) -> dict[str, set[int]]:
    """Per rule code, the original lines that rule alone changes."""
    from migrate_tf.engine.pipeline import migrate_source

    found: dict[str, set[int]] = {}
    for rule in rules:
        if rule.CODE not in codes:
            continue
        result = migrate_source(source, rules=[rule], settings=settings, filename=filename)
        if result.error is not None or not result.changed:
            continue
        lines: set[int] = set()
        matcher = difflib.SequenceMatcher(
            None, split_lines(source), split_lines(result.output), autojunk=False
        )
        for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
            if tag != "equal":
                lines.update(range(i1 + 1, max(i2, i1 + 1) + 1))
        found[rule.CODE] = lines
    return found


def plan_result(result, *, rules, settings) -> tuple[FilePlan, object]:
    """The plan of a changed runner :class:`FileResult` and its decoded source."""
    from migrate_tf.engine.pipeline import DecodedSource, decode_source

    names = {rule.CODE: rule.NAME for rule in rules}
    if result.path.lower().endswith(".ipynb"):
        # A notebook is JSON: one hunk, the whole migration of its cells or nothing.
        decoded = DecodedSource(result.data.decode("utf-8"), "utf-8")
        output = result.output.decode("utf-8")
        whole = Edit(0, len(split_lines(decoded.text)), tuple(split_lines(output)), 0)
        codes = tuple(result.applied)
        notes = [" ".join(filter(None, [code, names.get(code)])) for code in codes]
        notes.append("notebook: all its changed cells are one hunk")
        hunk = Hunk(edits=(whole,), codes=codes, notes=tuple(notes))
        return FilePlan(decoded.text, output, [hunk], [], result.path, python=False), decoded
    decoded = decode_source(result.data)
    output = decode_source(result.output).text
    rule_lines = None
    if len(result.applied) > 1:
        rule_lines = _rule_lines(decoded.text, result.applied, rules, settings, result.path)
    plan = plan_file(
        decoded.text,
        output,
        filename=result.path,
        conversions=result.conversions,
        findings=result.findings,
        rule_names=names,
        rule_lines=rule_lines,
    )
    if len(result.applied) == 1:
        (code,) = result.applied
        for hunk in plan.hunks:
            if not hunk.codes:
                hunk.codes = (code,)
                hunk.notes = (" ".join(filter(None, [code, names.get(code)])), *hunk.notes)
    return plan, decoded


def _finish_file(
    plan: FilePlan, decoded, result, review: Review, console: Console, err, tally: _Tally
) -> None:
    """Write the accepted hunks of one file (or say why not)."""
    from migrate_tf.engine.writer import write_file

    total = len(plan.hunks)
    accepted = review.accepted
    tally.hunks += total
    if len(accepted) < total:
        tally.remaining = True
    if not accepted:
        console.write(f"{result.path}: nothing applied, left as it was\n")
        return
    applied = set(plan.applied_supports(accepted))
    for index, support in enumerate(plan.supports):
        if index in applied or not support.removes:
            continue
        removed = ", ".join(support.removes)
        reason = (
            "hunks you did not apply still use it"
            if support.requires
            else "it goes only with every hunk of the file"
        )
        console.write(console.styled(f"# kept `{removed}`: {reason}", "note") + "\n")
    text = plan.text(accepted)
    problem = plan.problem(text)
    encoded = None
    if problem is None:
        try:
            encoded = decoded.encode(text)
        except UnicodeEncodeError as error:
            problem = f"the result cannot be encoded as {decoded.encoding}: {error.reason}"
    if problem is None:
        outcome = write_file(result.path, result.data, encoded)
        problem = outcome.error
    else:
        problem += "; nothing was written to this file"
    if problem is not None:
        tally.failed += 1
        tally.remaining = True
        err(f"{result.path}: error: {problem}")
        return
    tally.written += 1
    tally.applied += len(accepted)
    console.write(f"{result.path}: wrote {len(accepted)} of {_count(total, 'hunk')}\n")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def review_paths(
    paths: Sequence[str],
    *,
    settings,
    rules,
    project_dir,
    jobs: int | None,
    quiet: bool,
    check: bool,
    no_progress: bool,
    console: Console,
    err: Callable[[str], None],
) -> int:
    """``migrate-tf diff --interactive PATHS``; returns the exit code.

    Every file is migrated first (in worker processes when there are many; nothing is
    written), then the changed ones are reviewed one by one, in path order, each
    written as soon as its hunks are decided. Exit codes: 0 the review ended (every
    file was reviewed, or ``q``) and every accepted hunk was written; 1 a file failed
    (it could not be migrated, its accepted hunks were refused, or the write was
    refused), or with ``check`` changes remain unapplied; 130 Ctrl-C (files already
    written are complete, the current one is not written).
    """
    from migrate_tf.engine.discovery import MissingPathsError, discover
    from migrate_tf.engine.report import failure_lines, finding_lines
    from migrate_tf.engine.runner import FileResult, RunResult, run
    from migrate_tf.engine.writer import remove_stale_temporaries

    try:
        discovery = discover(paths, settings.exclude, project_dir=project_dir)
    except MissingPathsError as error:  # removed since the arguments were checked
        for path in error.paths:
            err(f"{path}: error: No such file or directory")
        return EXIT_USAGE
    progress = (
        not no_progress
        and not quiet
        and len(discovery.files) > PROGRESS_MIN_FILES
        and _isatty(sys.stderr)
    )
    try:
        result = run(
            discovery.files,
            rules=rules,
            settings=settings,
            write=False,
            jobs=jobs,
            progress=progress,
            keep_output=True,
        )
    except KeyboardInterrupt:
        err("migrate-tf: interrupted before the review; nothing was written")
        return EXIT_INTERRUPTED
    files = list(result.files)
    files.extend(
        FileResult(path=error.path, status="failed", error=error.reason)
        for error in discovery.errors
    )
    changed = [file for file in result.files if file.changed]
    remove_stale_temporaries(
        {os.path.realpath(os.path.dirname(file.path) or os.curdir) for file in changed}
    )
    tally = _Tally()
    shown: set = set()  # (path, finding) shown with a hunk
    current = None
    try:
        for number, file in enumerate(changed):
            current = file.path
            try:
                plan, decoded = plan_result(file, rules=rules, settings=settings)
            except Exception as error:  # noqa: BLE001 - this file fails, the review goes on
                tally.failed += 1
                tally.remaining = True
                err(f"{file.path}: error: cannot cut into hunks: {type(error).__name__}: {error}")
                current = None
                continue
            shown.update((file.path, finding) for hunk in plan.hunks for finding in hunk.findings)
            review = review_file(plan, file.path, console)
            _finish_file(plan, decoded, file, review, console, err, tally)
            current = None
            if review.quit:
                left = len(changed) - number - 1
                if left:
                    tally.remaining = True
                    console.write(f"quit: {_count(left, 'more file')} not reviewed\n")
                break
    except KeyboardInterrupt:
        console.write("\n")
        untouched = f"; {current} was not written" if current else ""
        err(
            f"migrate-tf: interrupted: {_count(tally.written, 'file')} written, each "
            f"complete{untouched}"
        )
        return EXIT_INTERRUPTED
    failed = sum(1 for file in files if file.failed) + tally.failed
    if not quiet:
        rest = [
            dataclasses.replace(
                file, findings=tuple(f for f in file.findings if (file.path, f) not in shown)
            )
            for file in files
        ]
        for line in finding_lines(RunResult(files=rest)):
            err(line)
    for line in failure_lines(RunResult(files=files)):
        err(line)
    if not quiet:
        err(
            f"{_count(len(files), 'file')} scanned: {len(changed)} with changes, "
            f"{tally.written} written ({tally.applied} of {_count(tally.hunks, 'hunk')} "
            f"applied), {failed} failed"
        )
    if failed or (check and tally.remaining):
        return EXIT_FAILED
    return EXIT_OK


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


__all__ = [
    "CHOICES",
    "HELP",
    "Console",
    "Edit",
    "FilePlan",
    "Hunk",
    "Review",
    "Support",
    "apply_edits",
    "global_references",
    "module_bindings",
    "plan_file",
    "plan_result",
    "review_file",
    "review_paths",
    "undefined_names",
]
