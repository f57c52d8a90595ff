"""What the language server knows about one document, without any LSP types.

:func:`analyse` runs the same pipeline as ``migrate-tf apply`` on a document's text,
with the settings of the document's project (``[tool.migrate-tf]`` of the nearest
``pyproject.toml``, as the command line finds it), and keeps what the editor needs:

* the conversions and findings, for diagnostics;
* the whole migrated text, for "Migrate all in file" (exactly what ``apply`` would
  write for the same text);
* :meth:`Analysis.construct_edits`: the edits that convert one construct only (the
  pipeline again, with every other conversion suppressed as ``apply --verify`` does);
* :meth:`Analysis.ignore_edit`: the edit that adds ``# migrate-tf: ignore[CODE]`` to
  a line (or extends the ignore comment already there).

Positions here are 0-based lines and 0-based columns in code points; the server
converts them to the client's position encoding. Lines are split as LSP splits them
(``\\r\\n``, ``\\r`` or ``\\n``). Nothing here imports TensorFlow, and nothing writes a
file.
"""

from __future__ import annotations

import dataclasses
import difflib
import io
import os
import re
import threading
import tokenize
from pathlib import Path
from typing import Sequence

from migrate_tf.config import ConfigError, Settings, find_pyproject, load_settings
from migrate_tf.engine.pipeline import SUPPRESSION, SourceResult, migrate_source
from migrate_tf.rules.base import CodeRange, Conversion, Finding, Rule, triggered_by

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# Text and positions -------------------------------------------------------------------


class Text:
    """A document's text with LSP line arithmetic (positions in code points)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line(self, index: int) -> str:
        """Line ``index`` (0-based) without its line break ('' past the end)."""
        if index < 0 or index >= len(self.line_starts):
            return ""
        start = self.line_starts[index]
        end = self.line_starts[index + 1] if index + 1 < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def offset(self, line: int, column: int) -> int:
        """The offset of (line, column), clamped to the line and to the text."""
        if line >= len(self.line_starts):
            return len(self.text)
        line = max(0, line)
        return self.line_starts[line] + max(0, min(column, len(self.line(line))))

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of an offset."""
        offset = max(0, min(offset, len(self.text)))
        low, high = 0, len(self.line_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.line_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low, offset - self.line_starts[low]

    # Client position encodings (LSP "utf-8", "utf-16", "utf-32")
    def to_client(self, line: int, column: int, encoding: str) -> tuple[int, int]:
        if encoding == "utf-32":
            return line, column
        prefix = self.line(line)[:column]
        if encoding == "utf-8":
            return line, len(prefix.encode("utf-8", "surrogatepass"))
        return line, len(prefix.encode("utf-16-le", "surrogatepass")) // 2

    def from_client(self, line: int, units: int, encoding: str) -> tuple[int, int]:
        if line >= len(self.line_starts):
            return self.position(len(self.text))
        if encoding == "utf-32":
            return line, min(units, len(self.line(line)))
        count = 0
        for column, char in enumerate(self.line(line)):
            if count >= units:
                return line, column
            if encoding == "utf-8":
                count += len(char.encode("utf-8", "surrogatepass"))
            else:
                count += 2 if ord(char) > 0xFFFF else 1
        return line, len(self.line(line))


@dataclasses.dataclass(frozen=True)
class Edit:
    """Replace the text from ``start`` to ``end`` ((line, column), 0-based) by ``text``."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str


def minimal_edits(old: str, new: str) -> list[Edit]:
    """The edits that turn ``old`` into ``new``: one per block of changed lines."""
    if old == new:
        return []
    before = Text(old)
    old_lines = _split_keep(old)
    new_lines = _split_keep(new)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    edits = []
    offsets = [0]
    for line in old_lines:
        offsets.append(offsets[-1] + len(line))
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = before.position(offsets[i1])
        end = before.position(offsets[i2])
        edits.append(Edit(start, end, "".join(new_lines[j1:j2])))
    return edits


def _split_keep(text: str) -> list[str]:
    """Lines with their breaks, split as LSP (and LibCST) split them."""
    pieces = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with non-overlapping ``edits`` applied (what a client does)."""
    document = Text(text)
    spans = sorted(
        ((document.offset(*edit.start), document.offset(*edit.end), edit.text) for edit in edits),
        reverse=True,
    )
    for start, end, replacement in spans:
        text = text[:start] + replacement + text[end:]
    return text


# Projects -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Project:
    """The configuration a document is migrated with."""

    settings: Settings
    rules: tuple[type[Rule], ...]
    project_dir: Path | None
    pyproject: Path | None


class Projects:
    """``[tool.migrate-tf]`` per directory, re-read when a ``pyproject.toml`` changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[tuple, Project] = {}

    def for_path(self, path: Path) -> Project:
        """The project of ``path`` (a file that need not exist). Raises ConfigError."""
        from migrate_tf.rules import UnknownRuleError, select_rules

        pyproject = find_pyproject(path)
        key = (pyproject, _mtime(pyproject))
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        settings = load_settings(pyproject)
        try:
            rules = select_rules(list(settings.select) or None, list(settings.ignore) or None)
        except UnknownRuleError as error:
            raise ConfigError(f"{pyproject}: error: {error}") from None
        project = Project(
            settings=settings,
            rules=tuple(rules),
            project_dir=pyproject.resolve().parent if pyproject is not None else None,
            pyproject=pyproject,
        )
        with self._lock:
            self._cache[key] = project
        return project


def _mtime(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


# Analysis -------------------------------------------------------------------------------


class PipelineOutcome:
    """What an analysis shows of its pipeline result (``self.result``, a
    :class:`SourceResult` or a notebook's result, None before it ran)."""

    result: object

    @property
    def error(self) -> str | None:
        """The pipeline's error (cannot parse, a rule crashed, ...), if any."""
        return self.result.error if self.result is not None else None

    @property
    def conversions(self) -> list[Conversion]:
        if self.result is None or self.result.error is not None:
            return []
        return list(self.result.conversions)

    @property
    def findings(self) -> list[Finding]:
        return list(self.result.findings) if self.result is not None else []


class TextEdits:
    """What is worked out from a document's text alone (``self.text``), memoised in
    ``self.memo``: its lines, and the edits of the "Ignore" quick fixes."""

    text: str
    memo: dict
    conversions: list[Conversion]
    findings: list[Finding]

    @property
    def lines(self) -> Text:
        if "lines" not in self.memo:
            self.memo["lines"] = Text(self.text)
        return self.memo["lines"]

    def warm(self) -> None:
        """Work out what code actions need from the text, so that they answer at once:
        its lines, and where "Ignore" comments can go when there is something to ignore."""
        self.lines
        if self.conversions or self.findings:
            self._comment_lines()

    def _comment_lines(self) -> tuple[set[int], dict[int, tokenize.TokenInfo]]:
        if "comment_lines" not in self.memo:
            self.memo["comment_lines"] = _comment_lines(self.text)
        return self.memo["comment_lines"]

    def ignore_edit(self, line: int, code: str) -> Edit | None:
        """Add ``# migrate-tf: ignore[CODE]`` to line ``line`` (1-based).

        The comment goes at the end of that line, or of the first line after it where
        a comment can end the line (not inside a string, not after a backslash). An
        ignore comment already there gets the code added. None when the line already
        ignores every code, or no line can take a comment.
        """
        line_ends, comments = self._comment_lines()
        candidates = [number for number in line_ends if number >= line]
        if not candidates:
            return None
        target = min(candidates)
        row = target - 1
        comment = comments.get(target)
        match = SUPPRESSION.search(comment.string) if comment is not None else None
        if comment is not None and match is not None:
            codes_text = match.group("codes")
            if codes_text is None or not codes_text.strip():
                return None  # a bare ignore already covers every code
            codes = [part.strip().upper() for part in codes_text.split(",") if part.strip()]
            if any(code.startswith(existing) for existing in codes):
                return None
            separator = ", " if ", " in codes_text else ","
            # Replace the bracket of the comment that is there: `ignore[A]` -> `ignore[A,B]`.
            bracket = comment.string.index("[", match.start())
            start = comment.start[1] + bracket
            end = comment.start[1] + match.end()
            return Edit((row, start), (row, end), f"[{separator.join([*codes, code])}]")
        text = self.lines.line(row)
        end = len(text.rstrip())
        return Edit((row, end), (row, len(text)), f"  # migrate-tf: ignore[{code}]")


@dataclasses.dataclass
class Analysis(TextEdits, PipelineOutcome):
    """One version of one document, migrated in memory."""

    text: str
    path: Path | None
    version: int | None = None
    project: Project | None = None
    result: SourceResult | None = None
    #: Why there is nothing to show: a configuration error, or None.
    config_error: str | None = None
    excluded: bool = False
    rules: tuple[type[Rule], ...] = ()
    memo: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def output(self) -> str:
        """What ``apply`` would write (the text itself when nothing changes)."""
        if self.result is None or not self.result.changed:
            return self.text
        return self.result.output

    @property
    def changed(self) -> bool:
        return self.output != self.text

    def fix_all_edits(self) -> list[Edit]:
        """The edits of "Migrate all in file": the text becomes what ``apply`` writes."""
        if "fix_all" not in self.memo:
            self.memo["fix_all"] = minimal_edits(self.text, self.output)
        return self.memo["fix_all"]

    def warm(self) -> None:
        """Compute what code actions need, so that they answer at once."""
        super().warm()
        self.fix_all_edits()

    # Edits
    def construct_edits(self, conversion: Conversion) -> list[Edit] | None:
        """Edits that make this conversion and no other, or None if it cannot be alone.

        The pipeline runs again with every other conversion of the document
        suppressed (as if each carried ``# migrate-tf: ignore[CODE]``), so the result
        is what ``apply`` would write if the others were ignored: the imports it needs
        included. None when the conversion does not happen without the others.
        """
        if self.result is None or self.project is None:
            return None
        suppress = others_than(self.conversions, conversion)
        if not suppress:
            return self.fix_all_edits()
        alone = migrate_source(
            self.text,
            rules=self.rules,
            settings=self.project.settings,
            filename=str(self.path) if self.path else "<editor>",
            suppress=suppress,
        )
        if not happened_alone(alone, conversion):
            return None
        return minimal_edits(self.text, alone.output)

    def carried_to(self, text: str, version: int | None) -> CarriedAnalysis:
        """This analysis shown on a newer ``text`` of the document, until that text's
        own analysis is ready: see :class:`CarriedAnalysis`."""
        shift = LineShift.between(self.text, text)
        conversions = [moved for moved in map(shift.conversion, self.conversions) if moved]
        findings = [moved for moved in map(shift.finding, self.findings) if moved]
        return CarriedAnalysis(
            text=text,
            version=version,
            analysed_version=self.version,
            conversions=conversions,
            findings=findings,
            changed=self.changed,
            error=self.error,
            config_error=self.config_error,
            excluded=self.excluded,
        )


@dataclasses.dataclass(frozen=True)
class LineShift:
    """Where the lines of one text are in a newer one: the lines before and after
    the block that changed are the same lines, the latter moved by ``delta``.

    Lines are 1-based. ``unchanged_before`` lines at the start are equal; the old
    text's lines from ``unchanged_from`` on equal the new text's last lines.
    """

    unchanged_before: int
    unchanged_from: int
    delta: int

    @classmethod
    def between(cls, old: str, new: str) -> LineShift:
        old_lines, new_lines = _split_keep(old), _split_keep(new)
        shortest = min(len(old_lines), len(new_lines))
        before = 0
        while before < shortest and old_lines[before] == new_lines[before]:
            before += 1
        after = 0
        while after < shortest - before and old_lines[-1 - after] == new_lines[-1 - after]:
            after += 1
        return cls(
            unchanged_before=before,
            unchanged_from=len(old_lines) - after + 1,
            delta=len(new_lines) - len(old_lines),
        )

    def line(self, line: int) -> int | None:
        """Where old line ``line`` is now; None when it is in the block that changed."""
        if line <= self.unchanged_before:
            return line
        if line >= self.unchanged_from:
            return line + self.delta
        return None

    def span(self, span: CodeRange | None) -> CodeRange | None | bool:
        """Where ``span`` is now (None stays None); False when the change touches it."""
        if span is None:
            return None
        if span.end_line <= self.unchanged_before:
            return span
        if span.line >= self.unchanged_from:
            return dataclasses.replace(
                span, line=span.line + self.delta, end_line=span.end_line + self.delta
            )
        return False

    def conversion(self, conversion: Conversion) -> Conversion | None:
        """``conversion`` where it is now; None when the change touches its definition."""
        line = self.line(conversion.line)
        where, name = self.span(conversion.range), self.span(conversion.name_range)
        if line is None or where is False or name is False:
            return None
        return dataclasses.replace(conversion, line=line, range=where, name_range=name)

    def finding(self, finding: Finding) -> Finding | None:
        """``finding`` where it is now; None when the change touches what it reports."""
        line = self.line(finding.line)
        where = self.span(finding.range)
        if line is None or where is False:
            return None
        return dataclasses.replace(finding, line=line, range=where)


@dataclasses.dataclass
class CarriedAnalysis(TextEdits):
    """The last finished analysis of a document, shown on a newer version of its
    text while that version's own analysis runs (the server's code actions answer
    from it instead of waiting for a whole pipeline run).

    Conversions and findings are the old analysis's whose lines the edit did not
    touch, moved to where those lines are now; the rest wait for the new analysis.
    Nothing here is an edit of the migrated code: those are computed for the
    version they apply to (the server resolves them against the new analysis). The
    "Ignore" edits are worked out from the new text itself.
    """

    text: str
    version: int | None
    #: the version the conversions and findings were found in
    analysed_version: int | None
    conversions: list[Conversion]
    findings: list[Finding]
    #: whether the analysed version had anything to migrate
    changed: bool
    error: str | None = None
    config_error: str | None = None
    excluded: bool = False
    memo: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)


def _comment_lines(source: str) -> tuple[set[int], dict[int, tokenize.TokenInfo]]:
    """Lines (1-based) that a comment can end, and the comment already on each."""
    line_ends: set[int] = set()
    comments: dict[int, tokenize.TokenInfo] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                line_ends.add(token.start[0])
            elif token.type == tokenize.COMMENT:
                line_ends.add(token.start[0])
                comments[token.start[0]] = token
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return line_ends, comments


def analyse(
    text: str,
    path: Path | None,
    *,
    projects: Projects,
    version: int | None = None,
    start: Path | None = None,
) -> Analysis:
    """Migrate ``text`` (the document at ``path``) in memory, as ``apply`` would.

    ``start`` is where the configuration search begins for a document that has no
    path (an unsaved buffer): the workspace folder, say. Never raises for bad input.
    """
    analysis = Analysis(text=text, path=path, version=version)
    project = resolve_project(analysis, projects, start)
    if project is None:
        return analysis
    if path is not None and path.suffix.lower() == ".ipynb":
        from migrate_tf.lsp.notebook import analyse_notebook  # the notebook's JSON text

        return analyse_notebook(analysis)
    rules = tuple(triggered_by(project.rules, text.encode("utf-8", "surrogatepass")))
    analysis.rules = rules
    if not rules:
        analysis.result = SourceResult(source=text, output=text)
        return analysis
    analysis.result = migrate_source(
        text,
        rules=rules,
        settings=project.settings,
        filename=os.fspath(path) if path is not None else "<editor>",
    )
    return analysis


def resolve_project(analysis, projects: Projects, start: Path | None = None) -> Project | None:
    """Set ``analysis.project`` (the settings of the project of ``analysis.path``, or of
    ``start`` for a document without a path); None, with ``config_error`` or
    ``excluded`` set, when the document is not to be migrated."""
    path = analysis.path
    try:
        project = projects.for_path(path if path is not None else (start or Path.cwd()) / "_")
    except ConfigError as error:
        analysis.config_error = str(error)
        return None
    analysis.project = project
    if path is not None and project.settings.exclude:
        from migrate_tf.engine.discovery import is_excluded

        if is_excluded(path, project.settings.exclude, project_dir=project.project_dir):
            analysis.excluded = True
            return None
    return project


def conversion_span(conversion: Conversion) -> CodeRange | None:
    """Where the diagnostic of a conversion goes: the definition's name, if known."""
    return conversion.name_range or conversion.range


__all__ = [
    "Analysis",
    "CarriedAnalysis",
    "Edit",
    "LineShift",
    "Project",
    "Projects",
    "Text",
    "analyse",
    "apply_edits",
    "conversion_span",
    "minimal_edits",
    "resolve_project",
]


def others_than(conversions: Sequence[Conversion], conversion: Conversion) -> list[tuple[str, int]]:
    """``(code, line)`` of every conversion but ``conversion``: suppressed in a run of
    the pipeline, they leave that one to happen alone."""
    target = (conversion.code, conversion.line)
    return [
        (other.code, other.line) for other in conversions if (other.code, other.line) != target
    ]


def happened_alone(result, conversion: Conversion) -> bool:
    """Whether a run with the other conversions suppressed made ``conversion``."""
    return (
        result.error is None
        and result.changed
        and (conversion.code, conversion.line) in {(c.code, c.line) for c in result.conversions}
    )
