"""``migrate-tf apply --verify``: write only the conversions that pass.

Every file is migrated in memory and verified. A file whose conversions all pass is
written (atomically, by the engine's writer). A file with failing or unverified
conversions is migrated again from the same bytes with those conversions suppressed
(as if ``# migrate-tf: ignore[CODE]`` were on their definitions; the pipeline's
``suppress`` hook) and the result is verified again, because leaving a function out
can change what the rule makes of its callers (a caller of a function that stays a
function is not converted the same way). This repeats until every conversion left
passes or none is left, so what is written is always exactly what was verified. A
file none of whose conversions pass stays byte-identical.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, Sequence

from migrate_tf.config import Settings
from migrate_tf.harness.cases import CasesFinder
from migrate_tf.harness.processes import Pool
from migrate_tf.harness.verify import (
    FileIssue,
    Migrated,
    Options,
    Row,
    VerifyResult,
    Workspace,
    migrate_file,
    unit_of,
    verify_units,
)

#: A file is re-verified at most this many times (each round leaves out at least one
#: more conversion, so real files need one or two).
MAX_ROUNDS = 4


@dataclasses.dataclass
class ApplyOutcome:
    rounds: list[VerifyResult] = dataclasses.field(default_factory=list)
    #: path -> number of conversions written
    written: dict[str, int] = dataclasses.field(default_factory=dict)
    #: rows of conversions that were not written (their last verdict)
    not_applied: list[Row] = dataclasses.field(default_factory=list)
    issues: list[FileIssue] = dataclasses.field(default_factory=list)
    scanned: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.issues) or any(row.verdict == "FAIL" for row in self.not_applied)

    @property
    def unverified(self) -> int:
        return sum(1 for row in self.not_applied if row.verdict == "unverified")


def apply_verified(
    files: Sequence[str],
    *,
    rules,
    settings: Settings,
    finder: CasesFinder,
    options: Options,
    project_dir: Path | None,
    on_round: Callable[[int, VerifyResult], None] | None = None,
) -> ApplyOutcome:
    outcome = ApplyOutcome(scanned=len(files))
    pending: dict[str, tuple[Migrated, frozenset]] = {}
    for path in files:
        migrated = migrate_file(path, rules=rules, settings=settings)
        if migrated.error is not None:
            outcome.issues.append(FileIssue(path, migrated.error))
        elif migrated.output is None:
            continue
        elif migrated.unrecorded:
            outcome.issues.append(FileIssue(path, migrated.unrecorded + " and not written"))
        else:
            pending[path] = (migrated, frozenset())

    with Pool(options.memory_mb) as pool:  # later rounds reuse the running workers
        pending = _rounds(pending, outcome, files=files, rules=rules, settings=settings,
                          finder=finder, options=options, project_dir=project_dir,
                          on_round=on_round, pool=pool)
    for path in pending:
        outcome.issues.append(
            FileIssue(path, f"still changing after {MAX_ROUNDS} verification rounds; not written")
        )
    return outcome


def _rounds(pending, outcome, *, files, rules, settings, finder, options, project_dir,
            on_round, pool):
    from migrate_tf.engine.writer import write_file

    for number in range(1, MAX_ROUNDS + 1):
        if not pending:
            break
        with Workspace() as workspace:
            units = [unit_of(migrated, workspace, project_dir) for migrated, _ in pending.values()]
            result = verify_units([u for u in units if u is not None], finder, options, pool=pool)
        result.scanned = len(files) if number == 1 else len(pending)
        outcome.rounds.append(result)
        if on_round is not None:
            on_round(number, result)
        outcome.issues += result.issues
        by_path: dict[str, list[Row]] = {}
        for row in result.rows:
            by_path.setdefault(row.check.unit.display, []).append(row)
        next_round: dict[str, tuple[Migrated, frozenset]] = {}
        for path, (migrated, suppressed) in pending.items():
            rows = by_path.get(path, [])
            failing = [row for row in rows if row.verdict != "pass"]
            if not failing:
                written = write_file(path, migrated.data, migrated.output)
                if written.error is not None:
                    outcome.issues.append(FileIssue(path, written.error))
                else:
                    outcome.written[path] = len(migrated.conversions)
                continue
            outcome.not_applied += failing
            suppress = suppressed | {
                (row.check.conversion.code, row.check.conversion.line) for row in failing
            }
            if len({(c.code, c.line) for c in migrated.conversions} - suppress) == 0:
                continue  # nothing passed: the file stays as it is
            again = migrate_file(path, rules=rules, settings=settings, suppress=sorted(suppress),
                                 data=migrated.data)
            if again.error is not None or again.output is None or not again.conversions:
                continue
            next_round[path] = (again, suppress)
        pending = next_round
    return pending


__all__ = ["ApplyOutcome", "MAX_ROUNDS", "apply_verified"]
