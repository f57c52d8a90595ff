"""``migrate-tf verify``: run the old and the new code and compare them, per conversion.

1. *Collect*: each file is migrated in memory by the pipeline (nothing is written to
   the user's tree); a file with conversions becomes a :class:`~migrate_tf.harness.plan.Unit`
   whose new code is written to a temporary directory. ``verify OLD NEW`` makes one
   unit of an explicit pair: the conversions come from migrating OLD in memory, the
   classes checked are NEW's.
2. *Plan*: cases and inference give the arguments; each conversion and case becomes a
   row with an old job and a new job (or ``unverified`` with the lines to add).
3. *Run*: two worker processes (old code, new code) for all jobs (:mod:`~migrate_tf.harness.processes`).
4. *Compare*: :mod:`~migrate_tf.harness.compare` gives each row its verdict:
   ``pass``, ``FAIL: reason`` (the new code differs, or fails where the old one runs)
   or ``unverified: reason`` (no case, or the old code itself cannot be run).

The harness never rewrites code itself: the new code is the pipeline's output.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Sequence

from migrate_tf.config import Settings
from migrate_tf.harness import compare as comparing
from migrate_tf.harness.cases import CasesFinder, suggestion_lines
from migrate_tf.harness.plan import Check, Unit, plan_unit
from migrate_tf.harness.processes import SIDE_NAMES, Limits, Pool, SideRun, run_sides


@dataclasses.dataclass
class Options:
    rtol: float = comparing.RTOL
    atol: float = comparing.ATOL
    timeout: float = 60.0
    memory_mb: int = 4096
    sigmas: float = comparing.SIGMAS


@dataclasses.dataclass
class Row:
    """One row of the table: one conversion under one case, and its verdict."""

    check: Check
    verdict: str  # "pass", "FAIL" or "unverified"
    reason: str = ""
    comparison: comparing.Comparison | None = None
    details: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def status(self) -> str:
        return self.verdict if not self.reason else f"{self.verdict}: {self.reason}"


@dataclasses.dataclass
class FileIssue:
    path: str
    message: str


@dataclasses.dataclass
class VerifyResult:
    rows: list[Row] = dataclasses.field(default_factory=list)
    issues: list[FileIssue] = dataclasses.field(default_factory=list)
    scanned: int = 0
    seconds: float = 0.0
    sides: dict[str, SideRun] = dataclasses.field(default_factory=dict)
    mode: str = "paths"  # or "pair"

    def count(self, verdict: str) -> int:
        return sum(1 for row in self.rows if row.verdict == verdict)

    @property
    def failed(self) -> bool:
        return self.count("FAIL") > 0 or bool(self.issues)

    @property
    def startups(self) -> int:
        return sum(run.starts for run in self.sides.values())


# Collecting units ----------------------------------------------------------------------


class Workspace:
    """The temporary directory the new code is written to; removed at the end."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="migrate-tf-verify-"))
        self._count = 0

    def new_file(self, old_path: Path, data: bytes) -> Path:
        self._count += 1
        directory = self.root / f"{self._count:04d}"
        directory.mkdir()
        path = directory / old_path.name
        path.write_bytes(data)
        return path

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclasses.dataclass
class Migrated:
    """One file migrated in memory, with what ``apply --verify`` needs to write it."""

    path: str
    data: bytes
    output: bytes | None  # None: unchanged or failed
    source: str = ""
    conversions: list = dataclasses.field(default_factory=list)
    error: str | None = None
    encoding: str = "utf-8"
    #: the rules that changed it
    applied: tuple[str, ...] = ()

    @property
    def unrecorded(self) -> str | None:
        """Why a changed file cannot be verified: its rules recorded no conversion."""
        if self.output is None or self.conversions:
            return None
        codes = ", ".join(self.applied) or "the rules"
        return (f"the migration changes it, but {codes} recorded no conversion, so there is "
                "nothing verify can run; not verified")


def migrate_file(
    path: str,
    *,
    rules,
    settings: Settings,
    suppress: Sequence[tuple[str, int]] = (),
    data: bytes | None = None,
) -> Migrated:
    """Migrate one file in memory (the pipeline, as ``diff`` does), keeping the conversions."""
    from migrate_tf.engine.pipeline import DecodeError, decode_source, migrate_source
    from migrate_tf.rules.base import triggered_by

    if path.lower().endswith(".ipynb"):
        from migrate_tf.harness.notebook import migrate_notebook_file

        return migrate_notebook_file(
            path, rules=rules, settings=settings, suppress=suppress, data=data
        )
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            return Migrated(path, b"", None, error=f"cannot read: {error.strerror or error}")
    triggered = triggered_by(rules, data)
    if not triggered:
        return Migrated(path, data, None)
    try:
        decoded = decode_source(data)
    except DecodeError as error:
        return Migrated(path, data, None, error=f"cannot decode: {error}")
    result = migrate_source(
        decoded.text, rules=triggered, settings=settings, filename=path, suppress=suppress
    )
    if result.error is not None:
        return Migrated(path, data, None, source=decoded.text, error=result.error)
    if not result.changed:
        return Migrated(path, data, None, source=decoded.text, encoding=decoded.encoding)
    try:
        output = decoded.encode(result.output)
    except UnicodeEncodeError as error:
        return Migrated(path, data, None, source=decoded.text,
                        error=f"the migrated code cannot be encoded: {error.reason}")
    return Migrated(path, data, output, source=decoded.text,
                    conversions=list(result.conversions), encoding=decoded.encoding,
                    applied=tuple(result.applied))


def unit_of(migrated: Migrated, workspace: Workspace, project_dir: Path | None) -> Unit | None:
    if migrated.output is None or not migrated.conversions:
        return None
    if migrated.path.lower().endswith(".ipynb"):
        from migrate_tf.harness.notebook import notebook_unit

        return notebook_unit(migrated, workspace, project_dir)
    old_path = Path(migrated.path)
    return Unit(
        display=migrated.path,
        old_path=old_path,
        new_path=workspace.new_file(old_path, migrated.output),
        old_source=migrated.source,
        conversions=migrated.conversions,
        project_dir=project_dir,
    )


def pair_unit(old: str, new: str, *, rules, settings: Settings, project_dir: Path | None,
              result: VerifyResult) -> Unit | None:
    """The unit of ``verify OLD NEW``: OLD's conversions, NEW's classes."""
    result.scanned = 2
    notebook = next((p for p in (old, new) if p.lower().endswith(".ipynb")), None)
    if notebook is not None:
        from migrate_tf.harness.notebook import PAIR_REFUSED

        result.issues.append(FileIssue(notebook, PAIR_REFUSED.format(path=notebook)))
        return None
    migrated = migrate_file(old, rules=rules, settings=settings)
    if migrated.error is not None:
        result.issues.append(FileIssue(old, migrated.error))
        return None
    if migrated.unrecorded:
        result.issues.append(FileIssue(old, migrated.unrecorded))
        return None
    if not migrated.conversions:
        result.issues.append(
            FileIssue(old, "migrating it converts nothing, so there is nothing to compare with "
                      f"{new}")
        )
        return None
    return Unit(
        display=old,
        old_path=Path(old),
        new_path=Path(new),
        old_source=migrated.source,
        conversions=migrated.conversions,
        project_dir=project_dir,
        explicit_new=True,
    )


def looks_like_pair(old: str, new: str, *, rules, settings: Settings) -> bool:
    """Whether ``verify A B`` means the pair (OLD, NEW): A converts to classes that B
    already defines, and B itself converts none of them."""
    import ast

    first = migrate_file(old, rules=rules, settings=settings)
    if not first.conversions:
        return False
    try:
        tree = ast.parse(Path(new).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return False
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    if not any(conversion.new in classes for conversion in first.conversions):
        return False
    second = migrate_file(new, rules=rules, settings=settings)
    converted_again = {c.old for c in second.conversions}
    return not any(c.old in converted_again for c in first.conversions)


# Running and judging ----------------------------------------------------------------------


def verify_units(units: Sequence[Unit], finder: CasesFinder, options: Options,
                 result: VerifyResult | None = None, pool: Pool | None = None) -> VerifyResult:
    """Plan, run and compare every conversion of ``units`` (in ``pool``'s worker
    processes when given, else in processes of this run's own)."""
    result = result or VerifyResult()
    started = time.monotonic()
    checks: list[Check] = []
    for unit in units:
        checks += plan_unit(unit, finder)
    jobs: dict[str, list[dict]] = {"tf1": [], "keras2": [], "keras3": []}
    # The same job twice (one old file checked against several NEW files, say) runs once.
    seen: dict[str, str] = {}
    for index, check in enumerate(checks):
        if check.old_job is None or check.new_job is None:
            continue
        for job, suffix in ((check.old_job, "old"), (check.new_job, "new")):
            key = json.dumps(job, sort_keys=True)
            if key in seen:
                job["id"] = seen[key]
                continue
            job["id"] = seen[key] = f"{index}:{suffix}"
            jobs[job["side"]].append(job)
    if any(jobs.values()):
        if pool is not None:
            result.sides = pool.run(jobs, options.timeout)
        else:
            result.sides = run_sides(jobs, Limits(timeout=options.timeout, memory_mb=options.memory_mb))
    results = {}
    for side, run in result.sides.items():
        results.update(run.results)
        failed_start = next(
            (r for r in run.results.values() if r.get("kind") == "start"), None
        )
        if failed_start is not None:
            result.issues.append(FileIssue(
                f"<{side} worker>",
                f"{failed_start['error']} (the verify extra needs TensorFlow and tf-keras: "
                "pip install 'migrate-tf[verify]')",
            ))
    for check in checks:
        result.rows.append(judge(check, results, options))
    result.seconds += time.monotonic() - started
    return result


def _side_failure(which: str, side: str, outcome: dict) -> str:
    where = " while importing its module" if outcome.get("stage") == "import" else ""
    return (f"the {which} code failed under {SIDE_NAMES.get(side, side)}{where}: "
            f"{outcome.get('error', '?')}")


def judge(check: Check, results: dict[str, dict], options: Options) -> Row:
    notes = list(f"inferred {note}" for note in check.inferred)
    if check.unverified is not None:
        return Row(check, "unverified", check.unverified, notes=notes,
                   details=_suggestion_details(check))
    old = results.get(check.old_job["id"], {"ok": False, "kind": "start", "error": "not run"})
    new = results.get(check.new_job["id"], {"ok": False, "kind": "start", "error": "not run"})
    for which, outcome in (("old", old), ("new", new)):
        if outcome.get("stdout"):
            text = " ".join(outcome["stdout"].split())
            notes.append(f"the {which} code printed to stdout: {text[:120]!r}")
    old_side, new_side = check.old_job["side"], check.new_job["side"]
    infrastructure = ("start", "interrupted")
    if not old.get("ok") or old.get("kind") in infrastructure:
        details = [old["traceback"]] if old.get("traceback") else []
        if check.inferred_values and old.get("kind") == "error":
            # The guess was wrong (or the code needs other arguments): ask for a case,
            # starting from what was inferred.
            names = ", ".join(name for name, _, _ in check.inferred_values)
            check.suggestion = suggestion_lines(check.conversion.old, check.suggestion_values())
            reason = f"needs a case: the old code failed with inferred {names}: {old.get('error')}"
            return Row(check, "unverified", reason, notes=notes,
                       details=_suggestion_details(check) + details)
        return Row(check, "unverified", _side_failure("old", old_side, old), notes=notes,
                   details=details)
    if not new.get("ok"):
        details = [new["traceback"]] if new.get("traceback") else []
        if new.get("kind") in infrastructure:
            return Row(check, "unverified", _side_failure("new", new_side, new), notes=notes)
        return Row(check, "FAIL", _side_failure("new", new_side, new), notes=notes, details=details)
    if old["record"].get("reuse_failed"):
        notes.append(
            "compared on one call: the old code cannot be called again on the same "
            f"variables ({old['record']['reuse_failed']})"
        )
    comparison = comparing.compare_records(
        old["record"], new["record"], check.conversion.kind,
        rtol=options.rtol, atol=options.atol, sigmas=options.sigmas,
    )
    details = [str(problem) for problem in comparison.problems]
    if comparison.problems:
        return Row(check, "FAIL", str(comparison.first_problem()), comparison, details, notes)
    if comparison.incomplete:
        return Row(check, "unverified", comparison.incomplete, comparison, details, notes)
    return Row(check, "pass", "", comparison, details, notes)


def _suggestion_details(check: Check) -> list[str]:
    if not check.suggestion:
        return []
    where = check.suggestion_file
    header = f"add to {where}:" if where is not None else "add to the cases file:"
    return [header] + [f"    {line}" for line in check.suggestion]


__all__ = [
    "FileIssue",
    "Migrated",
    "Options",
    "Row",
    "VerifyResult",
    "Workspace",
    "judge",
    "looks_like_pair",
    "migrate_file",
    "pair_unit",
    "unit_of",
    "verify_units",
]
