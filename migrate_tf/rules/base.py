"""The rule framework: what a rule is, what it may report, and what it may ask for.

A rule is a LibCST transformer with a code (``MTF201``), a kebab-case name, a one-line
summary, the tokens that must appear in a file for the rule to be worth running, and a
class docstring that is its user-facing documentation (``migrate-tf rules CODE``).

Rules never touch files. They receive a parsed module, return a changed module, and
report what they saw but could not convert through :meth:`Rule.report`.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import textwrap
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

import libcst as cst

if TYPE_CHECKING:
    from migrate_tf.engine.pipeline import RuleContext

CODE_PATTERN = re.compile(r"^MTF\d{3}$")


@dataclasses.dataclass(frozen=True, order=True)
class CodeRange:
    """Where a node is in the original source.

    Lines and columns are 1-based and columns count code points, as in
    :class:`Finding`; ``end_column`` is the column just after the last character
    (exclusive), as SARIF's ``endColumn``.
    """

    line: int
    column: int
    end_line: int
    end_column: int


@dataclasses.dataclass(frozen=True, order=True)
class Finding:
    """A place a rule saw but did not convert, and why.

    ``line`` and ``column`` are 1-based and refer to the original source. ``range``
    (filled in by the pipeline: the whole reported node, for editors and SARIF)
    takes no part in comparisons and is not in :meth:`to_dict`.
    """

    line: int
    column: int
    code: str
    message: str
    range: CodeRange | None = dataclasses.field(default=None, compare=False, repr=False)

    def format(self, path: str) -> str:
        return f"{path}:{self.line}:{self.column}: {self.code} {self.message}"

    def to_dict(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


@dataclasses.dataclass(frozen=True)
class Conversion:
    """What a rule turned into what: the map the equivalence harness runs by.

    ``kind`` is ``"function-to-layer"`` (a TF1 function became the class ``new``;
    ``constructor`` are its settings, ``inputs`` its tensor arguments, in order) or
    ``"layer-class"`` (the layer class ``old`` was rewritten in place, ``new`` is the
    same name).
    """

    code: str
    kind: str
    old: str
    new: str
    line: int
    constructor: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    scope_parameter: str | None = None
    default_name: str | None = None
    #: Where the converted definition is (filled in by the pipeline), and its name
    #: when it has one (a ``def`` or ``class``); for editors and SARIF. Neither takes
    #: part in comparisons.
    range: CodeRange | None = dataclasses.field(default=None, compare=False)
    name_range: CodeRange | None = dataclasses.field(default=None, compare=False)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


class Rule(cst.CSTTransformer):
    """Base class of every rule. Subclasses set the class attributes below."""

    CODE: ClassVar[str] = ""
    NAME: ClassVar[str] = ""
    SUMMARY: ClassVar[str] = ""
    #: Words (matched whole); a file whose code has none of them is not parsed for this rule.
    TRIGGERS: ClassVar[tuple[str, ...]] = ()
    #: A file must name one of these modules for the rule to find anything in it. Rules
    #: recognise TensorFlow and Keras only through imports of `tensorflow`, `keras` or
    #: `tf_keras` (shared/imports.py), so a file that never names them is left at once,
    #: before its trigger words are looked for.
    REQUIRED_MODULES: ClassVar[tuple[str, ...]] = ("tensorflow", "keras")

    def __init__(self, context: "RuleContext") -> None:
        super().__init__()
        self.context = context
        #: Set by the rule when it changed the module (the engine then tidies
        #: imports the change left unused, and reports the rule as applied).
        self.changed = False

    # What rules call -------------------------------------------------------------

    def report(
        self, node: cst.CSTNode, message: str, *, statement: cst.CSTNode | None = None
    ) -> None:
        """Report a finding at ``node`` (an original node of the parsed module).

        ``statement`` is where ``--annotate`` puts its comment: the statement the
        finding belongs to. It defaults to ``node``.
        """
        self.context.report(self.CODE, node, message, statement=statement)

    def record(self, node: cst.CSTNode, kind: str, old: str, new: str, **details) -> None:
        """Record a conversion (see :class:`Conversion`) of the definition ``node``."""
        self.context.record(self.CODE, node, kind, old, new, **details)

    def is_suppressed(self, node: cst.CSTNode) -> bool:
        """True when a ``# migrate-tf: ignore`` comment covers ``node`` for this rule."""
        return self.context.is_suppressed(node, self.CODE)

    # Documentation -----------------------------------------------------------------

    @classmethod
    def documentation(cls) -> str:
        """The rule's page: a title line, then the class docstring."""
        body = textwrap.dedent(inspect.getdoc(cls) or "").strip()
        return f"# {cls.CODE} {cls.NAME}\n\n{cls.SUMMARY}\n\n{body}\n"

    @classmethod
    def check_definition(cls) -> None:
        """Fail loudly at registration when a rule is missing what users rely on."""
        problems = []
        if not CODE_PATTERN.match(cls.CODE):
            problems.append(f"code {cls.CODE!r} is not MTF followed by three digits")
        if not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", cls.NAME):
            problems.append(f"name {cls.NAME!r} is not kebab-case")
        if not cls.SUMMARY or "\n" in cls.SUMMARY:
            problems.append("summary must be one line")
        if not cls.TRIGGERS:
            problems.append("TRIGGERS must name at least one token")
        doc = inspect.getdoc(cls) or ""
        for heading in REQUIRED_DOC_HEADINGS:
            if f"## {heading}" not in doc:
                problems.append(f"documentation lacks the heading '## {heading}'")
        if problems:
            raise TypeError(f"rule {cls.__name__}: " + "; ".join(problems))


#: Every rule page has the same headings, in this order, so users know where to look.
REQUIRED_DOC_HEADINGS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Fix safety",
    "When it refuses",
    "References",
)


_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def trigger_offsets(data: bytes, token: str) -> Iterator[int]:
    """Where ``token`` occurs in ``data`` as a whole word: `_weights` occurs in
    `self._weights` but not in `sample_weights`, `def call` in `def call(` but not in
    `def callback(`. (``bytes.find`` and a look at the neighbours: a regular expression
    with look-arounds cannot skip ahead to the token's first byte, and was 20 times
    slower than reading the file.)"""
    word = token.encode("ascii")
    check_before = word[0] in _WORD_BYTES
    check_after = word[-1] in _WORD_BYTES
    found = data.find(word)
    while found >= 0:
        end = found + len(word)
        if not (check_before and found > 0 and data[found - 1] in _WORD_BYTES) and not (
            check_after and end < len(data) and data[end] in _WORD_BYTES
        ):
            yield found
        found = data.find(word, found + 1)


def triggered_by(rules: Iterable[type[Rule]], data: bytes) -> list[type[Rule]]:
    """The rules whose trigger tokens occur in ``data`` (raw file bytes) as whole words,
    in files that name a module the rule needs."""
    rules = tuple(rules)
    plan = _TRIGGER_PLANS.get(rules)
    if plan is None:
        plan = _TRIGGER_PLANS[rules] = _TriggerPlan(rules)
    # Most files of a repository name neither module: one search per module, then out.
    named: dict[tuple[str, ...], bool] = {}
    anything = plan.unconditional
    for modules, words in plan.needs:
        hit = False
        for word in words:
            if word in data:
                hit = anything = True
                break
        named[modules] = hit
    if not anything:
        return []
    return [
        rule
        for rule in rules
        if (not rule.REQUIRED_MODULES or named[rule.REQUIRED_MODULES])
        and any(True for token in rule.TRIGGERS for _ in trigger_offsets(data, token))
    ]


class _TriggerPlan:
    """What :func:`triggered_by` looks for, worked out once per selection of rules."""

    def __init__(self, rules: tuple[type[Rule], ...]) -> None:
        needs = dict.fromkeys(rule.REQUIRED_MODULES for rule in rules if rule.REQUIRED_MODULES)
        self.needs = tuple(
            (modules, tuple(module.encode("ascii") for module in modules)) for modules in needs
        )
        self.unconditional = any(not rule.REQUIRED_MODULES for rule in rules)


#: selections of rules (a run has one or two) -> their plan
_TRIGGER_PLANS: dict[tuple[type[Rule], ...], _TriggerPlan] = {}
