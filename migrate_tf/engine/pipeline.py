"""One file's migration, in memory: decode, parse once, run every rule, validate.

Nothing here touches the file system. :func:`migrate_bytes` is what the file runner,
the stdin action and (later) the language server call; it never raises for bad input:
a file that cannot be decoded, parsed or migrated comes back with ``error`` set and its
output equal to its input.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import gc
import io
import re
import sys
import tokenize
from typing import Iterable, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import MetadataWrapper

from migrate_tf.config import Settings
from migrate_tf.engine.positions import Positions
from migrate_tf.shared.walk import (
    _CHILDREN,
    LEAF_NODE_CLASSES,
    WHITESPACE_AND_PUNCTUATION_CLASSES,
    _child_function,
    _child_nodes,
    with_subclasses,
)
from migrate_tf.rules.base import (
    CodeRange,
    Conversion,
    Finding,
    Rule,
    trigger_offsets,
    triggered_by,
)

SUPPRESSION = re.compile(r"#\s*migrate-tf:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s-]*)\])?")
ANNOTATION_PREFIX = "# migrate-tf: "


class RuleCrash(Exception):
    """An exception escaped a rule; the file fails, the run goes on."""

    def __init__(self, code: str, error: BaseException) -> None:
        super().__init__(f"rule {code} crashed: {type(error).__name__}: {error}")
        self.code = code


@dataclasses.dataclass
class SourceResult:
    """What happened to one source text."""

    source: str
    output: str
    findings: list[Finding] = dataclasses.field(default_factory=list)
    error: str | None = None
    #: Rules that changed the file, by code.
    applied: tuple[str, ...] = ()
    #: What was converted into what (empty when the file failed).
    conversions: list[Conversion] = dataclasses.field(default_factory=list)
    #: False when no rule had a trigger word in the code, so libcst never parsed it.
    parsed: bool = True

    @property
    def changed(self) -> bool:
        return self.error is None and self.output != self.source


@dataclasses.dataclass
class BytesResult:
    """What happened to one file's bytes."""

    data: bytes
    output: bytes
    findings: list[Finding] = dataclasses.field(default_factory=list)
    error: str | None = None
    applied: tuple[str, ...] = ()
    #: Whether any rule was triggered, i.e. the file was parsed at all.
    parsed: bool = False
    #: What was converted into what (only when the output changed).
    conversions: list[Conversion] = dataclasses.field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.error is None and self.output != self.data


# Decoding ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DecodedSource:
    text: str
    encoding: str  # as tokenize names it; "utf-8-sig" when the file has a BOM

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


class DecodeError(ValueError):
    pass


def decode_source(data: bytes) -> DecodedSource:
    """Decode Python source bytes as the interpreter would (BOM, PEP 263 coding line).

    Line endings are kept exactly as they are in the file.
    """
    if b"\x00" in data:
        raise DecodeError("not a text file (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise DecodeError(str(error)) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DecodeError(
            f"line {line}: bytes that are not valid {encoding} ({error.reason})"
        ) from None
    except LookupError:
        raise DecodeError(f"unknown encoding {encoding!r} in the coding line") from None
    return DecodedSource(text=text, encoding=encoding)


# Suppression comments ------------------------------------------------------------


def suppressions_in(source: str) -> dict[int, frozenset[str] | None]:
    """Line number -> codes suppressed on that line (None means every code)."""
    if "migrate-tf:" not in source:
        return {}
    found: dict[int, frozenset[str] | None] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {}
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = SUPPRESSION.search(token.string)
        if not match:
            continue
        codes = match.group("codes")
        line = token.start[0]
        if codes is None or not codes.strip():
            found[line] = None
        elif line not in found or found[line] is not None:
            parsed = {code.strip().upper() for code in codes.split(",") if code.strip()}
            found[line] = frozenset(parsed | (found.get(line) or frozenset()))
    return found


# The context rules see -------------------------------------------------------------


def _code_range(position) -> CodeRange | None:
    """A LibCST position (0-based columns) as a 1-based :class:`CodeRange`."""
    if position is None:
        return None
    return CodeRange(
        position.start.line,
        position.start.column + 1,
        position.end.line,
        position.end.column + 1,
    )


class RuleContext:
    """Per-file services for rules: findings, suppression, positions, imports."""

    def __init__(
        self,
        wrapper: MetadataWrapper,
        filename: str,
        settings: Settings,
        source: str,
        suppress: Iterable[tuple[str, int]] = (),
    ) -> None:
        self.wrapper = wrapper
        self.module = wrapper.module
        self.filename = filename
        self.settings = settings
        self.source = source
        self._positions = None
        self._suppressions = suppressions_in(source)
        for code, line in suppress:
            # as if `# migrate-tf: ignore[CODE]` were written on that line
            codes = self._suppressions.get(line, frozenset())
            if codes is not None:
                self._suppressions[line] = frozenset(codes | {code.upper()})
        self._import_index = None
        #: (Finding, line of the statement that --annotate marks)
        self.reported: list[tuple[Finding, int]] = []
        #: imports generated code needs, in request order: (module, name or None)
        self.needed_imports: list[tuple[str, str | None]] = []
        self.conversions: list[Conversion] = []

    # positions
    @property
    def positions(self):
        # The same ranges as libcst's PositionProvider, about four times cheaper.
        if self._positions is None:
            self._positions = Positions(self.module)
        return self._positions

    def printed_module(self) -> str | None:
        """The parsed module printed back, when the positions already printed it."""
        return self._positions.code if self._positions is not None else None

    def line_range(self, node: cst.CSTNode) -> tuple[int, int] | None:
        position = self.positions.get(node)
        if position is None:
            return None
        return position.start.line, position.end.line

    # findings
    def report(
        self, code: str, node: cst.CSTNode, message: str, *, statement: cst.CSTNode | None
    ) -> None:
        position = self.positions.get(node)
        anchor = self.positions.get(statement if statement is not None else node)
        if position is None or anchor is None:
            raise LookupError(
                f"{code} reported a node that is not part of the original module"
            )
        if self._suppressions and (
            self.is_suppressed(node, code)
            or (statement is not None and self.is_suppressed(statement, code))
        ):
            # `# migrate-tf: ignore[CODE]` on the statement silences its findings too,
            # whichever traversal of the rule found them.
            return
        finding = Finding(
            line=position.start.line,
            column=position.start.column + 1,
            code=code,
            message=message,
            range=_code_range(position),
        )
        self.reported.append((finding, anchor.start.line))

    def record(self, code: str, node: cst.CSTNode, kind: str, old: str, new: str, **details):
        position = self.positions.get(node)
        line = position.start.line if position is not None else 0
        name = getattr(node, "name", None)
        name_position = self.positions.get(name) if isinstance(name, cst.Name) else None
        details.setdefault("range", _code_range(position))
        details.setdefault("name_range", _code_range(name_position))
        self.conversions.append(Conversion(code, kind, old, new, line, **details))

    # suppression
    @property
    def has_suppressions(self) -> bool:
        return bool(self._suppressions)

    def _covered_lines(self, node: cst.CSTNode) -> Iterable[int]:
        position = self.positions.get(node)
        if position is None:
            return ()
        if isinstance(node, cst.BaseCompoundStatement):
            lines = set()
            for decorator in getattr(node, "decorators", ()):
                decorator_position = self.positions.get(decorator)
                if decorator_position is not None:
                    lines.update(
                        range(decorator_position.start.line, decorator_position.end.line + 1)
                    )
            body = node.body
            last_header_line = position.start.line
            if isinstance(body, cst.IndentedBlock) and body.body:
                first = self.positions.get(body.body[0])
                if first is not None:
                    last_header_line = max(position.start.line, first.start.line - 1)
            lines.update(range(position.start.line, last_header_line + 1))
            return lines
        return range(position.start.line, position.end.line + 1)

    def is_suppressed(self, node: cst.CSTNode, code: str) -> bool:
        if not self._suppressions:
            return False
        for line in self._covered_lines(node):
            if line in self._suppressions:
                codes = self._suppressions[line]
                if codes is None or any(code.startswith(c) for c in codes):
                    return True
        return False

    # imports
    @property
    def imports(self):
        """How this file imports TensorFlow and Keras (see migrate_tf.shared.imports)."""
        if self._import_index is None:
            from migrate_tf.shared.imports import ImportIndex

            self._import_index = ImportIndex.from_module(self.module, self.source)
        return self._import_index

    def require_import(self, module: str, obj: str | None = None, asname: str | None = None):
        """Ask for ``import module`` / ``from module import obj`` in the output, once."""
        if asname is not None:
            raise ValueError("generated code imports names as they are")
        if (module, obj) not in self.needed_imports:
            self.needed_imports.append((module, obj))


# Running every rule in one traversal ---------------------------------------------------


_STATEMENT_TYPES = (cst.SimpleStatementLine, cst.BaseCompoundStatement)
_BASE = cst.CSTTransformer
#: rule class -> whether it has any visit_<Node>_<attribute>/leave_<Node>_<attribute> hook
_ATTRIBUTE_HOOKS: dict[type, bool] = {}


def _has_attribute_hooks(rule_class: type) -> bool:
    known = _ATTRIBUTE_HOOKS.get(rule_class)
    if known is None:
        known = (
            rule_class.on_visit_attribute is not _BASE.on_visit_attribute
            or rule_class.on_leave_attribute is not _BASE.on_leave_attribute
            or any(
                name.startswith(("visit_", "leave_"))
                and "_" in name[6:]
                and getattr(rule_class, name) is not getattr(_BASE, name, None)
                for name in dir(rule_class)
            )
        )
        _ATTRIBUTE_HOOKS[rule_class] = known
    return known


def _own_hook(rule: Rule, name: str):
    """The rule's method ``name``, or None when it is CSTTransformer's no-op default."""
    if name in vars(rule):
        return getattr(rule, name)
    function = getattr(type(rule), name, None)
    if function is None or function is getattr(_BASE, name, None):
        return None
    return getattr(rule, name)


class _RuleDispatcher(cst.CSTTransformer):
    """Runs several rules in one traversal of the tree.

    Each rule sees the original node and the node as updated by its children and by
    the rules before it (in code order). A rule whose ``visit_*`` returned False, or
    whose code is suppressed on a statement, is skipped for that subtree.

    The traversal visits every node, so the per-node work here is kept small: for each
    node type, the rules that have a ``visit_<Type>``/``leave_<Type>`` of their own are
    looked up once per file (CSTTransformer would look up and call its no-op default
    for every rule at every node), and attribute hooks are forwarded only to rules
    that define some.
    """

    def __init__(self, rules: Sequence[Rule], context: RuleContext) -> None:
        super().__init__()
        self.rules = list(rules)
        self.context = context
        # rule index -> (node where it stopped, whether its leave still runs there)
        self._paused: dict[int, tuple[cst.CSTNode, bool]] = {}
        self._check_suppressions = context.has_suppressions
        # node type -> ((rule index, hook), ...) of the rules with a hook for it
        self._visit_hooks: dict[type, tuple] = {}
        self._leave_hooks: dict[type, tuple] = {}
        self._attribute_rules = tuple(
            (index, rule)
            for index, rule in enumerate(self.rules)
            if _has_attribute_hooks(type(rule))
        )
        if not self._attribute_rules:
            # Nobody listens: skip the per-attribute calls altogether.
            self.on_visit_attribute = _ignore_attribute
            self.on_leave_attribute = _ignore_attribute
        #: node types whose insides no rule looks at (see :func:`_unwatched_leaves`)
        self._unwatched = _unwatched_leaves(tuple(type(rule) for rule in self.rules))
        #: whether no rule can change an expression (see :meth:`_visit_read_only`)
        self._read_only = _expressions_read_only(self.rules)

    def _hooks(self, node_type: type, kind: str) -> tuple:
        name = f"{kind}_{node_type.__name__}"
        generic = _BASE.on_visit if kind == "visit" else _BASE.on_leave
        hooks = []
        for index, rule in enumerate(self.rules):
            own_generic = getattr(rule, "on_" + kind)
            if getattr(own_generic, "__func__", None) is not generic:
                hooks.append((index, own_generic))  # the rule dispatches by itself
                continue
            hook = _own_hook(rule, name)
            if hook is not None:
                hooks.append((index, hook))
        return tuple(hooks)

    def _call(self, rule: Rule, method, *args):
        try:
            return method(*args)
        except RuleCrash:
            raise
        except RecursionError:
            raise
        except Exception as error:  # noqa: BLE001 - reported as the file's failure
            raise RuleCrash(rule.CODE, error) from error

    def on_visit(self, node: cst.CSTNode) -> bool:
        paused = self._paused
        if self._check_suppressions and isinstance(node, _STATEMENT_TYPES):
            for index, rule in enumerate(self.rules):
                if index not in paused and self.context.is_suppressed(node, rule.CODE):
                    paused[index] = (node, False)
        hooks = self._visit_hooks.get(type(node))
        if hooks is None:
            hooks = self._visit_hooks[type(node)] = self._hooks(type(node), "visit")
        for index, hook in hooks:
            if index in paused:
                continue
            if self._call(self.rules[index], hook, node) is False:
                paused[index] = (node, True)
        # LibCST rebuilds every node it walks into, even when nothing changes; below a
        # node every rule stepped out of, or inside a name, a literal or whitespace
        # that no rule looks at, there is nothing to rebuild (about 4% of a TF file's
        # instructions, counted with callgrind).
        if len(paused) == len(self.rules) or type(node) in self._unwatched:
            return False
        if self._read_only and type(node) in _EXPRESSION_LEVEL:
            self._visit_read_only(node)
            return False
        return True

    def _visit_read_only(self, root: cst.CSTNode) -> None:
        """Call the rules' visit hooks below ``root``, an expression, as LibCST's
        traversal would, without LibCST rebuilding a node of it.

        Only when no rule can change an expression (:func:`_expressions_read_only`):
        then nothing below ``root`` changes, and ``root`` stands for its rebuilt copy.
        The nodes are those of :func:`migrate_tf.shared.walk.walk`, in LibCST's
        visiting order (the tests compare the two), less whitespace and punctuation,
        which no rule hooks then. A rule whose hook returns False skips the subtree,
        as in :meth:`on_visit`; the insides of unwatched leaves are not entered.
        """
        paused = self._paused
        rules = self.rules
        total = len(rules)
        visit_hooks = self._visit_hooks
        unwatched = self._unwatched
        children_of = _CHILDREN.get
        stack: list = _child_nodes(root)
        stack.reverse()
        while stack:
            node = stack.pop()
            if type(node) is _Resume:
                for index in node.indices:
                    del paused[index]
                continue
            node_type = type(node)
            hooks = visit_hooks.get(node_type)
            if hooks is None:
                hooks = visit_hooks[node_type] = self._hooks(node_type, "visit")
            stopped = None
            for index, hook in hooks:
                if index in paused:
                    continue
                if self._call(rules[index], hook, node) is False:
                    paused[index] = (node, True)
                    if stopped is None:
                        stopped = _Resume()
                    stopped.indices.append(index)
            if stopped is not None:
                stack.append(stopped)
            if len(paused) < total and node_type not in unwatched:
                below = (children_of(node_type) or _child_function(node_type))(node)
                below.reverse()
                stack.extend(below)

    def on_leave(self, original_node, updated_node):
        paused = self._paused
        resumed = None
        if paused:
            for index, (where, leave) in list(paused.items()):
                if where is original_node:
                    del paused[index]
                    if resumed is None:
                        resumed = {}
                    resumed[index] = leave
        hooks = self._leave_hooks.get(type(original_node))
        if hooks is None:
            hooks = self._leave_hooks[type(original_node)] = self._hooks(
                type(original_node), "leave"
            )
        result = updated_node
        for index, hook in hooks:
            if index in paused or (resumed is not None and resumed.get(index) is False):
                continue
            if type(result) is not type(original_node):
                # An earlier rule replaced or removed the node; later rules keep out.
                break
            result = self._call(self.rules[index], hook, original_node, result)
        if (
            result is updated_node
            and result is not original_node
            and type(original_node) in _STATEMENT_LEVEL
            and _same_children(original_node, updated_node)
        ):
            # Nothing in this statement changed: the original stands for LibCST's copy
            # of it (equal, field for field), so that an unchanged top-level statement
            # is recognised by identity (its code is reused, see _code_and_pieces).
            return original_node
        return result

    def on_visit_attribute(self, node, attribute):
        for index, rule in self._attribute_rules:
            if index not in self._paused:
                self._call(rule, rule.on_visit_attribute, node, attribute)

    def on_leave_attribute(self, original_node, attribute):
        for index, rule in self._attribute_rules:
            if index not in self._paused:
                self._call(rule, rule.on_leave_attribute, original_node, attribute)


def _ignore_attribute(node, attribute) -> None:
    return None


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _same_children(original: cst.CSTNode, updated: cst.CSTNode) -> bool:
    """Whether every field of ``updated`` holds the very objects ``original`` holds
    (a sequence: the same items), i.e. LibCST rebuilt ``original`` and nothing else."""
    names = _FIELD_NAMES.get(type(original))
    if names is None:
        names = _FIELD_NAMES[type(original)] = tuple(
            field.name for field in dataclasses.fields(original)
        )
    for name in names:
        before = getattr(original, name)
        after = getattr(updated, name)
        if before is after:
            continue
        if (
            type(before) in (tuple, list)
            and type(after) in (tuple, list)
            and len(before) == len(after)
            and all(a is b for a, b in zip(before, after))
        ):
            continue
        return False
    return True


class _Resume:
    """In :meth:`_RuleDispatcher._visit_read_only`'s stack: the subtree of a node
    where these rules stopped is done."""

    __slots__ = ("indices",)

    def __init__(self) -> None:
        self.indices: list[int] = []


#: Node types that can hold statements (or are statements): everything else is an
#: expression or a part of one (a name, an argument, a parameter, whitespace), and
#: holds no statement at any depth.
_STATEMENT_LEVEL_BASES = (
    cst.Module,
    cst.BaseStatement,
    cst.BaseSmallStatement,
    cst.BaseSuite,
    cst.Else,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.Finally,
    cst.MatchCase,
)


def _all_node_types() -> frozenset[type]:
    return with_subclasses((cst.CSTNode,))


_STATEMENT_LEVEL: frozenset[type] = frozenset()
_EXPRESSION_LEVEL: frozenset[type] = frozenset()
_PUNCTUATION: frozenset[type] = frozenset()
_READ_ONLY: dict[tuple, bool] = {}


def _expressions_read_only(rules: Sequence[Rule]) -> bool:
    """Whether no rule of ``rules`` can change an expression, nor needs to see an
    expression's whitespace or punctuation: no ``leave_<Type>`` for a type that is
    not statement-level, no ``visit_<Type>`` for whitespace or punctuation, no
    generic ``on_visit``/``on_leave`` and no attribute hooks (of the class or the
    instance)."""
    key = tuple(
        (type(rule), tuple(sorted(name for name in vars(rule) if name.startswith(("visit_", "leave_", "on_")))))
        for rule in rules
    )
    known = _READ_ONLY.get(key)
    if known is not None:
        return known
    answer = True
    for rule in rules:
        cls = type(rule)
        if (
            getattr(rule.on_visit, "__func__", None) is not _BASE.on_visit
            or getattr(rule.on_leave, "__func__", None) is not _BASE.on_leave
            or _has_attribute_hooks(cls)
            or any(name.startswith("on_") for name in vars(rule))
        ):
            answer = False
            break
        names = {name for name in dir(cls) if name.startswith(("visit_", "leave_"))}
        names |= {name for name in vars(rule) if name.startswith(("visit_", "leave_"))}
        for name in names:
            if _own_hook(rule, name) is None:
                continue
            kind, _, type_name = name.partition("_")
            node_type = getattr(cst, type_name, None)
            if not isinstance(node_type, type) or not issubclass(node_type, cst.CSTNode):
                answer = False  # a hook this check does not understand
                break
            if kind == "leave" and node_type not in _STATEMENT_LEVEL:
                answer = False
                break
            if kind == "visit" and node_type in _PUNCTUATION:
                answer = False
                break
        if not answer:
            break
    _READ_ONLY[key] = answer
    return answer


#: Node types that hold only names, literals, punctuation and whitespace: no statement,
#: call or other expression can be inside them.
_LEAF_TYPES = LEAF_NODE_CLASSES + WHITESPACE_AND_PUNCTUATION_CLASSES




_UNWATCHED: dict[tuple[type, ...], frozenset[type]] = {}

_STATEMENT_LEVEL = with_subclasses(_STATEMENT_LEVEL_BASES)
_EXPRESSION_LEVEL = _all_node_types() - _STATEMENT_LEVEL
_PUNCTUATION = with_subclasses(WHITESPACE_AND_PUNCTUATION_CLASSES)


def _unwatched_leaves(rule_classes: tuple[type, ...]) -> frozenset[type]:
    """The leaf types whose insides (whitespace, parentheses) no rule has a hook for.

    A rule with its own ``on_visit``/``on_leave`` or attribute hooks may look at
    anything, and a hook for a leaf type may look inside one: then no leaf is skipped.
    The leaf itself is still visited and left; only its insides are not walked.
    """
    found = _UNWATCHED.get(rule_classes)
    if found is not None:
        return found
    leaves = with_subclasses(_LEAF_TYPES)
    found = leaves
    for cls in rule_classes:
        generic = (
            getattr(cls.on_visit, "__func__", cls.on_visit) is not _BASE.on_visit
            or getattr(cls.on_leave, "__func__", cls.on_leave) is not _BASE.on_leave
        )
        hooked = {
            getattr(cst, name.split("_", 1)[1], None)
            for name in dir(cls)
            if name.startswith(("visit_", "leave_"))
            and getattr(cls, name) is not getattr(_BASE, name, None)
        }
        if generic or _has_attribute_hooks(cls) or hooked & leaves:
            found = frozenset()
            break
    _UNWATCHED[rule_classes] = found
    return found


# The pipeline ---------------------------------------------------------------------


def _syntax_error_message(error: Exception) -> str:
    if isinstance(error, cst.ParserSyntaxError):
        return f"line {error.raw_line}, column {error.raw_column + 1}: {error.message}"
    if isinstance(error, SyntaxError):
        return f"line {error.lineno}, column {error.offset or 0}: {error.msg}"
    return str(error)


def _looks_like_python2(source: str) -> bool:
    return bool(
        re.search(r"^\s*print\s+[^\s(=]", source, re.MULTILINE)
        or re.search(r"^\s*except\s+[\w.]+\s*,\s*\w+\s*:", source, re.MULTILINE)
        or re.search(r"^\s*exec\s+['\"]", source, re.MULTILINE)
    )


def _compiler_syntax_error(source: str) -> SyntaxError | None:
    """CPython's own syntax error for ``source``, if it has one."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<unknown>", "exec", dont_inherit=True)
    except SyntaxError as error:
        return error
    except (ValueError, RecursionError, MemoryError):
        pass
    return None


def parse_error_message(source: str, error: Exception) -> str:
    # libcst's native parser often reports the line after the real error; the
    # compiler knows the exact place and says it in words users recognise.
    if isinstance(error, cst.ParserSyntaxError):
        error = _compiler_syntax_error(source) or error
    message = f"cannot parse: {_syntax_error_message(error)}"
    if _looks_like_python2(source):
        message += " (this looks like Python 2 code; migrate it to Python 3 first)"
    return message


#: Deepest nesting migrated, in levels of Python's syntax tree (a chain of ``and``/``or``
#: counts a level per operand, as libcst nests it). The rules' visitors reach Python's
#: recursion limit at about 300 levels; far deeper code can overflow the C stack of
#: libcst's native parser (a crash, not an exception) or keep it busy for minutes.
MAX_NESTING = 500
#: LibCST's visitors take about three Python frames per level of the tree, so code
#: up to MAX_NESTING needs more than Python's default limit of 1000 (at 1000, a
#: 330-branch elif chain failed). Measured: 4000 frames of these visitors fit in a
#: 2 MiB thread stack (the smallest default; the main thread has 8 MiB), and deeper
#: code still ends in a RecursionError, reported for its file, not a crash.
RECURSION_LIMIT = 4000


def _nesting(tree) -> tuple[int, int]:
    """(depth, line of the deepest node) of a Python AST, without recursion."""
    import ast

    deepest, line = 0, 1
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BoolOp):
            depth += len(node.values) - 2
        if depth > deepest:
            deepest, line = depth, getattr(node, "lineno", line)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest, line


def check_source(source: str, filename: str = "<unknown>") -> str | None:
    """Why ``source`` is not handed to libcst (it is not valid Python for this
    interpreter, or nested too deeply), as a one-line error; None when it may be.

    CPython's compiler is the judge: it is fast, it gives the exact position, and the
    migrated output must pass it anyway (:func:`validate_output`). Nesting is measured
    on Python's syntax tree only when a cheap look at the code says it could be deep
    (building that tree costs three times the compile).
    """
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, filename, "exec", dont_inherit=True)
            if _may_nest_deeply(source):
                tree = compile(source, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
                depth, line = _nesting(tree)
                if depth > MAX_NESTING:
                    return (
                        f"cannot parse: line {line}: the code is nested too deeply "
                        f"(more than {MAX_NESTING} levels)"
                    )
    except SyntaxError as error:
        return parse_error_message(source, error)
    except (RecursionError, MemoryError):
        return "cannot parse: the code is nested too deeply for the parser"
    except ValueError as error:
        return f"cannot parse: {error}"
    return None


#: Tokens that can each add a level to a syntax tree: operators, the dot of an
#: attribute, opening brackets, and the keywords that build expressions (a comma or
#: a name adds none). Counted generously: ``==`` counts twice.
_NESTING_TOKEN = re.compile(rb"[-+*/%@&|^~<>=!.([{]|\b(?:and|or|not|if|else|lambda|await)\b")
_BRACKET_OR_NEWLINE = re.compile(rb"[()\[\]{}\n]")
_ELIF = re.compile(rb"\belif\b")
#: A logical line with fewer nesting tokens than this cannot come near MAX_NESTING,
#: even at CPython's deepest indentation (100 blocks, two tree levels each).
_SHALLOW_LINE_TOKENS = 100


def _may_nest_deeply(source: str) -> bool:
    """Whether some logical line of ``source`` has enough nesting tokens to be deeper
    than :data:`MAX_NESTING`, or the file has a long ``elif`` chain (each branch nests
    the next one) (a bound: True does not mean it is)."""
    encoded = source.encode("utf-8", "surrogatepass")
    pieces, last = [], 0
    for match in _STRING_OR_COMMENT.finditer(encoded):
        pieces.append(encoded[last : match.start()])
        pieces.append(b"0")  # a literal or a comment is one token at most
        last = match.end()
    pieces.append(encoded[last:])
    code = b"".join(pieces)
    if len(_ELIF.findall(code)) >= _SHALLOW_LINE_TOKENS:
        return True
    depth, line_start = 0, 0
    for match in _BRACKET_OR_NEWLINE.finditer(code):
        at = match.start()
        character = code[at]
        if character in b"([{":
            depth += 1
        elif character in b")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and not code[line_start:at].rstrip(b"\r").endswith(b"\\"):
            if len(_NESTING_TOKEN.findall(code, line_start, at)) >= _SHALLOW_LINE_TOKENS:
                return True
            line_start = at + 1
    return len(_NESTING_TOKEN.findall(code, line_start)) >= _SHALLOW_LINE_TOKENS


def validate_output(
    output: str,
    filename: str,
    *,
    pieces: Sequence[str] | None = None,
    parsed: Iterable[str] | frozenset[str] = frozenset(),
) -> str | None:
    """Why ``output`` must not be written, or None.

    It must compile (CPython's compiler is the judge of valid Python) and parse again
    with LibCST, so that the written file can be migrated again: a file this tool
    wrote must never be one it cannot read. Files that do not change skip both.

    ``pieces``, when given, is ``output`` cut into the code of its top-level parts
    (header lines, statements, footer lines; see :func:`_code_and_pieces`), and
    ``parsed`` the code of top-level parts LibCST has already parsed (those of the
    source): then only the parts not among them are parsed again
    (:func:`_parses_in_parts`); whenever that cannot vouch for the whole, the whole
    output is parsed. The full parse was a third of a TF file's migration.
    """
    try:
        compile(output, filename, "exec", dont_inherit=True)
        if pieces is None or not _parses_in_parts(pieces, parsed):
            cst.parse_module(output)
    except RecursionError:
        return "the migrated code is too deeply nested to check"
    except (cst.ParserSyntaxError, SyntaxError, ValueError) as error:
        return _syntax_error_message(error)
    return None


def _code_and_pieces(
    module: cst.Module, reuse: dict[int, tuple[cst.CSTNode, str]] | None = None
) -> tuple[str, list[str]]:
    """``module.code``, and the same text cut into the code of each of the module's
    header lines, statements and footer lines, in order (joined, they are the code).

    The same code generation as ``Module.code`` (LibCST's ``Module._codegen_impl``:
    each child's code in turn, a lone newline for an empty module, the last token
    dropped for a module without a final newline), child by child; the tests compare
    the two. ``reuse`` maps the id of a child (kept with it) to its code already
    generated, which is taken instead of generating it again (see
    :func:`_reusable_pieces`).
    """
    children = (*module.header, *module.body, *module.footer)
    last = len(children) - 1
    pieces = []
    for index, node in enumerate(children):
        known = reuse.get(id(node)) if reuse else None
        if known is not None and known[0] is node and (index < last or module.has_trailing_newline):
            pieces.append(known[1])
            continue
        state = CodegenState(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        node._codegen(state)
        if index == last and not module.has_trailing_newline:
            state.pop_trailing_newline()
        pieces.append("".join(state.tokens))
    if not children and module.has_trailing_newline:
        pieces.append(module.default_newline)
    return "".join(pieces), pieces


def _reusable_pieces(
    context: RuleContext, module: cst.Module
) -> dict[int, tuple[cst.CSTNode, str]] | None:
    """id of each of the parsed module's children -> (the child, its code), from the
    positions when they were computed (they printed the module); None otherwise. The
    last child of a file without a final newline is left out (its code lacks it)."""
    positions = context._positions
    if positions is None:
        return None
    children = (*module.header, *module.body, *module.footer)
    pieces = positions.top_level_code()
    if len(pieces) != len(children):
        return None
    if not module.has_trailing_newline:
        children, pieces = children[:-1], pieces[:-1]
    return {id(child): (child, piece) for child, piece in zip(children, pieces)}


def _same_module(before: cst.Module, after: cst.Module) -> bool:
    """Whether ``after`` holds exactly the children of ``before`` (the very nodes) and
    prints the same way: then its code is ``before``'s."""
    return after is before or (
        after.encoding == before.encoding
        and after.default_indent == before.default_indent
        and after.default_newline == before.default_newline
        and after.has_trailing_newline == before.has_trailing_newline
        and all(
            len(a) == len(b) and all(x is y for x, y in zip(a, b))
            for a, b in (
                (before.header, after.header),
                (before.body, after.body),
                (before.footer, after.footer),
            )
        )
    )


def _line_break_at_end(piece: str) -> int:
    """The length of the line break ``piece`` ends with (0: none)."""
    if piece.endswith("\r\n"):
        return 2
    return 1 if piece.endswith(("\n", "\r")) else 0


def _parses_in_parts(pieces: Sequence[str], parsed: Iterable[str] | frozenset[str]) -> bool:
    """Whether LibCST parses the module made of ``pieces``, checked by parsing only
    the pieces not in ``parsed``; False also when this check cannot tell.

    A top-level statement (or header or footer line) starts on a line of its own,
    outside any bracket, string or indented block: the tokenizer is in the same clean
    state there as at the start of a file. So where every piece but the last ends
    with a line break that no backslash continues (and no ``\\r`` ending one piece
    meets a ``\\n`` starting the next, which would make one line break of two), the
    module's tokens are the pieces' tokens one after the other, and it parses if
    each run of consecutive pieces parses on its own. A piece in ``parsed`` was
    parsed already, as a top-level part of the source, which LibCST read whole
    (same tokens, same clean state before and after it); the runs of the others are
    parsed here, with the same parser (LibCST's parser takes no configuration but
    the text: its ``PartialParserConfig`` only names the encoding). Future imports
    change nothing in LibCST's parser; their placement is ``compile()``'s to check.

    When a run does not parse, or a boundary is not clean, the answer is False and
    the caller parses the whole output: it is the judge, and gives the error message
    its real position.
    """
    if not pieces:
        return False
    known = parsed if isinstance(parsed, (set, frozenset)) else frozenset(parsed)
    last = len(pieces) - 1
    runs: list[list[str]] = []
    run: list[str] = []
    for index, piece in enumerate(pieces):
        if index < last:
            line_break = _line_break_at_end(piece)
            if (
                not line_break
                or piece[: len(piece) - line_break].endswith("\\")
                or (piece.endswith("\r") and pieces[index + 1].startswith("\n"))
            ):
                return False
        if piece in known:
            if run:
                runs.append(run)
                run = []
        else:
            run.append(piece)
    if run:
        runs.append(run)
    for run in runs:
        try:
            cst.parse_module("".join(run))
        except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
            return False
    return True


def annotate(source: str, output: str, reported: list[tuple[Finding, int]]) -> str:
    """Insert a ``# migrate-tf: CODE message`` comment above each finding's statement.

    Findings carry lines of ``source``; the comment goes above the same line in
    ``output``. A comment that is already there is not added again.
    """
    if not reported:
        return output
    source_lines = source.splitlines(keepends=True)
    output_lines = output.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, source_lines, output_lines, autojunk=False)
    line_map: dict[int, int] = {}
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                line_map[i1 + offset + 1] = j1 + offset + 1
    newline = "\r\n" if "\r\n" in output else "\n"
    inserts: dict[int, list[str]] = {}
    for finding, anchor_line in sorted(reported, key=lambda item: item[0]):
        target = line_map.get(anchor_line)
        if target is None:
            continue
        line = output_lines[target - 1]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        message = " ".join(finding.message.split())
        comment = f"{indent}{ANNOTATION_PREFIX}{finding.code} {message}{newline}"
        previous = output_lines[target - 2] if target >= 2 else None
        existing = inserts.setdefault(target, [])
        if comment in existing:
            continue
        if previous is not None and previous.strip() == comment.strip():
            continue
        existing.append(comment)
    if not inserts:
        return output
    pieces = []
    for number, line in enumerate(output_lines, start=1):
        pieces.extend(inserts.get(number, ()))
        pieces.append(line)
    return "".join(pieces)


def migrate_source(
    source: str,
    *args,
    **kwargs,
) -> SourceResult:
    """Run ``rules`` over ``source`` in one parse. Never raises for bad input.

    The cyclic garbage collector is paused while the file is migrated (and resumed
    after, when it was running). A file's trees live until its migration ends, so
    every collection during it would walk them and find nothing to free: the
    migration creates no reference cycles (tests/test_reference_cycles.py), what it
    allocates goes when it returns, by reference counting. Those collections were
    a fifth of a TF file's migration time.
    """
    from migrate_tf.shared.walk import clear_cache

    if sys.getrecursionlimit() < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        return _migrate_source(source, *args, **kwargs)
    finally:
        clear_cache()
        if collecting:
            gc.enable()


def _migrate_source(
    source: str,
    *,
    rules: Sequence[type[Rule]],
    settings: Settings,
    filename: str = "<stdin>",
    suppress: Iterable[tuple[str, int]] = (),
) -> SourceResult:
    """Run ``rules`` over ``source`` in one parse. Never raises for bad input.

    ``suppress`` lists ``(code, line)`` pairs treated as if the line carried a
    ``# migrate-tf: ignore[CODE]`` comment (``apply --verify`` leaves the conversions
    that did not pass out this way: a conversion's ``line`` suppresses it).
    """
    if not rules:
        return SourceResult(source=source, output=source, parsed=False)
    rules = _mentioned_in_code(source, rules)
    if not rules:
        # Trigger words only in comments and strings: nothing for libcst to do.
        return SourceResult(source=source, output=source, parsed=False)
    problem = check_source(source, filename)
    if problem is not None:
        return SourceResult(source=source, output=source, error=problem)
    try:
        module = cst.parse_module(source)
    except RecursionError:
        return SourceResult(
            source=source,
            output=source,
            error="cannot parse: the code is nested too deeply for the parser",
        )
    except cst.ParserSyntaxError:
        # CPython compiled it (check_source), so this is a limit of LibCST's parser
        # (measured: more than about 3,000 adjacent string literals), and its
        # position and "expected one of" would only mislead.
        return SourceResult(
            source=source,
            output=source,
            error=(
                "cannot parse: LibCST's parser cannot read this valid Python (a limit "
                "of the parser, such as thousands of adjacent string literals); the "
                "file was left unchanged"
            ),
        )
    except (SyntaxError, ValueError) as error:
        return SourceResult(
            source=source, output=source, error=parse_error_message(source, error)
        )
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    context = RuleContext(wrapper, filename, settings, source, suppress)
    instances = [rule_class(context) for rule_class in rules]
    dependencies = set()
    for instance in instances:
        dependencies |= set(instance.get_inherited_dependencies())
    try:
        if dependencies:
            resolved = wrapper.resolve_many(dependencies)
            for instance in instances:
                instance.metadata = {
                    provider: resolved[provider]
                    for provider in instance.get_inherited_dependencies()
                }
        new_module = wrapper.module.visit(_RuleDispatcher(instances, context))
        if any(instance.changed for instance in instances):
            from migrate_tf.shared.imports import remove_imports_made_unused

            new_module = remove_imports_made_unused(wrapper.module, new_module)
        if context.needed_imports:
            from migrate_tf.shared.imports import add_imports

            new_module = add_imports(new_module, context.needed_imports)
        if _same_module(wrapper.module, new_module):
            # Nothing changed: the output is the module printed back, which
            # _keep_untouched_bytes would turn into the source anyway.
            output, pieces = source, []
        else:
            output, pieces = _code_and_pieces(
                new_module, _reusable_pieces(context, wrapper.module)
            )
    except RuleCrash as crash:
        return SourceResult(source=source, output=source, error=str(crash))
    except RecursionError:
        return SourceResult(
            source=source,
            output=source,
            error="the code is nested too deeply to migrate",
        )
    findings = sorted({finding for finding, _ in context.reported})
    #: (the output's top-level pieces, the source's) while the output is the code of
    #: new_module as generated (see validate_output)
    checkable: tuple[list[str], list[str]] | None = None
    if output != source:
        printed, source_pieces = _printed_pieces(context, wrapper.module)
        if printed == source:
            checkable = (pieces, source_pieces)
        output, lossy = _keep_untouched_bytes(wrapper.module, source, output, printed=printed)
        if lossy is not None:
            return SourceResult(
                source=source,
                output=source,
                findings=findings,
                error=(
                    f"cannot migrate: libcst does not print line {lossy} back as it is "
                    "written; the file was left unchanged"
                ),
            )
    if settings.annotate:
        annotated = annotate(source, output, context.reported)
        if annotated != output:
            checkable = None
        output = annotated
    if output != source:
        if checkable is not None:
            problem = validate_output(
                output, filename, pieces=checkable[0], parsed=frozenset(checkable[1])
            )
        else:
            problem = validate_output(output, filename)
        if problem is not None:
            return SourceResult(
                source=source,
                output=source,
                findings=findings,
                error=(
                    "internal error: the migrated code does not parse "
                    f"({problem}); the file was left unchanged"
                ),
            )
    applied = tuple(sorted({rule.CODE for rule in instances if rule.changed}))
    return SourceResult(
        source=source,
        output=output,
        findings=findings,
        applied=applied,
        conversions=sorted(context.conversions, key=lambda c: c.line),
    )


def _printed_pieces(context: RuleContext, module: cst.Module) -> tuple[str, list[str]]:
    """The parsed module printed back, and cut into its top-level pieces (see
    :func:`_code_and_pieces`), from the positions when they were computed."""
    if context._positions is not None:
        return context._positions.code, context._positions.top_level_code()
    return _code_and_pieces(module)


def _keep_untouched_bytes(
    module: cst.Module, source: str, output: str, printed: str | None = None
) -> tuple[str, int | None]:
    """``output`` with the bytes libcst did not reproduce put back, and the line that
    cannot be put back (None when all is well).

    libcst almost always prints an unchanged tree back byte for byte; where it does not
    (a blank line before a whitespace-only last line is dropped), an output that is
    just that printing means nothing was migrated, and the source goes back as it
    came. Otherwise the difference is at the end of the file, which rules do not
    touch: the source's own end replaces the printed one. A difference that rules
    did touch makes the file fail instead.
    """
    if printed is None:
        printed = module.code
    if printed == source:
        return output, None
    if output == printed:
        return source, None
    same = 0
    for a, b in zip(source, printed):
        if a != b:
            break
        same += 1
    printed_rest = printed[same:]
    if output.endswith(printed_rest):
        return output[: len(output) - len(printed_rest)] + source[same:], None
    return output, source.count("\n", 0, same) + 1


def _outside_comments(data: bytes, token: str) -> bool:
    """Whether ``token`` occurs in ``data`` other than certainly inside a comment.

    The second stage of the trigger pre-filter: a file that mentions ``variable_scope``
    only in comments is not worth a parse (rules change code, never comments). An
    occurrence is certainly in a comment when its line, up to it, holds a ``#`` and no
    quote character: that ``#`` cannot be inside a string literal, so it starts a
    comment (or the line is the content of a string spanning lines, which is not code
    either). Anything else may be code, and is looked at again, exactly, by
    :func:`_mentioned_in_code` before libcst parses the file.
    """
    for found in trigger_offsets(data, token):
        line_start = max(data.rfind(b"\n", 0, found), data.rfind(b"\r", 0, found)) + 1
        before = data[line_start:found]
        if b"#" not in before or b"'" in before or b'"' in before:
            return True
    return False


#: String literals and comments of valid Python, found left to right: a quote or a
#: ``#`` outside them always starts one, so a single scan cannot be misled by a ``#``
#: in a string or a quote in a comment. (Possessive repeats keep long docstrings linear.)
_STRING_OR_COMMENT = re.compile(
    rb"#[^\r\n]*+"
    rb'|"""(?:[^"\\]++|\\[\s\S]|"(?!""))*+"""'
    rb"|'''(?:[^'\\]++|\\[\s\S]|'(?!''))*+'''"
    rb'|"(?:[^"\\\r\n]++|\\[\s\S])*+"'
    rb"|'(?:[^'\\\r\n]++|\\[\s\S])*+'"
)
_PREFIX_LETTERS = frozenset(b"rRbBuUfF")


def _is_f_string(encoded: bytes, quote_at: int) -> bool:
    prefix_start = quote_at
    while prefix_start > max(0, quote_at - 2) and encoded[prefix_start - 1] in _PREFIX_LETTERS:
        prefix_start -= 1
    return b"f" in encoded[prefix_start:quote_at].lower()


def _mentioned_in_code(text: str, rules: Sequence[type[Rule]]) -> list[type[Rule]]:
    """The rules with a trigger token in ``text`` outside string literals and comments.

    The last stage of the trigger pre-filter, exact where the byte scan above is only
    conservative (docstrings, strings, a comment after a quote), and cheap: one
    regular-expression scan lists the string literals and comments (about 15 times
    faster than building Python's AST, which the first version used). f-strings count
    as code, since their fields are. On code that does not compile the scan may err;
    that only decides whether the file is parsed, and a file that is parsed is
    compiled first, so its error is still reported.
    """
    encoded = text.encode("utf-8", "surrogatepass")
    starts: list[int] = []
    ends: list[int] = []
    for match in _STRING_OR_COMMENT.finditer(encoded):
        start = match.start()
        if encoded[start] != 0x23 and _is_f_string(encoded, start):  # 0x23: "#"
            continue
        starts.append(start)
        ends.append(match.end())

    def in_code(offset: int) -> bool:
        index = bisect.bisect_right(starts, offset) - 1
        return index < 0 or offset >= ends[index]

    def mentioned(token: str) -> bool:
        return any(in_code(offset) for offset in trigger_offsets(encoded, token))

    return [rule for rule in rules if any(mentioned(token) for token in rule.TRIGGERS)]


def migrate_bytes(
    data: bytes,
    *,
    rules: Sequence[type[Rule]],
    settings: Settings,
    filename: str = "<stdin>",
) -> BytesResult:
    """Migrate one file's bytes; the output keeps its encoding, BOM and line endings."""
    triggered = [
        rule
        for rule in triggered_by(rules, data)
        if any(_outside_comments(data, token) for token in rule.TRIGGERS)
    ]
    if not triggered:
        return BytesResult(data=data, output=data)
    try:
        decoded = decode_source(data)
    except DecodeError as error:
        return BytesResult(data=data, output=data, error=f"cannot decode: {error}")
    result = migrate_source(
        decoded.text, rules=triggered, settings=settings, filename=filename
    )
    if result.error is not None or not result.changed:
        return BytesResult(
            data=data,
            output=data,
            findings=result.findings,
            error=result.error,
            parsed=result.parsed,
        )
    try:
        output = decoded.encode(result.output)
    except UnicodeEncodeError as error:
        return BytesResult(
            data=data,
            output=data,
            findings=result.findings,
            error=f"the migrated code cannot be encoded as {decoded.encoding}: {error.reason}",
            parsed=True,
        )
    return BytesResult(
        data=data,
        output=output,
        findings=result.findings,
        applied=result.applied,
        parsed=True,
        conversions=result.conversions,
    )
