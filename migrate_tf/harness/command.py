"""The ``verify`` command and ``apply --verify`` behind the click layer of ``cli.py``.

``cli.py`` checks the options and resolves settings and rules; these functions do the
rest and return the exit code. Nothing here imports TensorFlow: only the worker
processes do.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Callable, Sequence

from migrate_tf.config import Settings
from migrate_tf.harness.cases import CasesError, CasesFinder
from migrate_tf.harness.verify import Options, VerifyResult

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

Echo = Callable[..., None]  # click.echo-like: echo(text, err=False)


@dataclasses.dataclass
class VerifyRequest:
    paths: tuple[str, ...]
    settings: Settings
    rules: tuple
    project_dir: Path | None
    options: Options
    cases: str | None = None
    pair: bool = False
    strict: bool = False
    quiet: bool = False
    report: str | None = None


def _finder(request: VerifyRequest) -> CasesFinder:
    pyproject = None
    if request.project_dir is not None and (request.project_dir / "pyproject.toml").is_file():
        pyproject = request.project_dir / "pyproject.toml"
    return CasesFinder(Path(request.cases) if request.cases else None, pyproject)


def _print_result(result: VerifyResult, echo: Echo, *, quiet: bool) -> None:
    from migrate_tf.harness import report

    lines = report.table_lines(result.rows)
    if lines and not quiet:
        for line in lines:
            echo(line)
    details = report.detail_lines(
        result.rows if not quiet else [r for r in result.rows if r.verdict == "FAIL"]
    )
    if details:
        echo("")
        for line in details:
            echo(line)
    for line in report.issue_lines(result):
        echo(line, err=True)
    if not quiet:
        if lines or details:
            echo("")
        echo(report.summary_line(result))


def _write_report(request: VerifyRequest, result: VerifyResult, echo: Echo, command: str,
                  extra: dict | None = None) -> int:
    from migrate_tf.harness.report import write_report

    if request.report is None:
        return EXIT_OK
    try:
        write_report(request.report, result, paths=request.paths, options=request.options,
                     command=command, extra=extra)
    except OSError as error:
        echo(f"{request.report}: error: cannot write the report: {error.strerror or error}", err=True)
        return EXIT_FAILED
    return EXIT_OK


def _files(request: VerifyRequest, echo: Echo) -> tuple[list[str], list] | None:
    from migrate_tf.engine.discovery import MissingPathsError, discover

    try:
        discovery = discover(request.paths, request.settings.exclude, project_dir=request.project_dir)
    except MissingPathsError as error:
        for path in error.paths:
            echo(f"{path}: error: No such file or directory", err=True)
        return None
    return discovery.files, discovery.errors


def _starting(echo: Echo, quiet: bool, conversions: int, files: int) -> None:
    if not quiet and conversions:
        echo(
            f"migrate-tf verify: {conversions} conversion(s) in {files} file(s); "
            "running the old and the new code in TensorFlow worker processes...",
            err=True,
        )


def run_verify(request: VerifyRequest, echo: Echo) -> int:
    from migrate_tf.harness.verify import (
        FileIssue,
        Workspace,
        looks_like_pair,
        migrate_file,
        pair_unit,
        unit_of,
        verify_units,
    )

    try:
        finder = _finder(request)
    except CasesError as error:
        echo(str(error), err=True)
        return EXIT_USAGE
    result = VerifyResult()
    paths = request.paths
    pair = request.pair
    if pair and (len(paths) != 2 or not all(os.path.isfile(p) for p in paths)):
        echo("error: --pair takes exactly two files: OLD NEW", err=True)
        return EXIT_USAGE
    detected = False
    if not pair and len(paths) == 2 and all(os.path.isfile(p) for p in paths):
        pair = detected = looks_like_pair(
            paths[0], paths[1], rules=request.rules, settings=request.settings
        )
    if pair and not request.quiet:
        echo(f"migrate-tf verify: comparing {paths[0]} (old code) with {paths[1]} "
             f"(already migrated){', as --pair would' if detected else ''}", err=True)
    with Workspace() as workspace:
        units = []
        if pair:
            result.mode = "pair"
            unit = pair_unit(paths[0], paths[1], rules=request.rules, settings=request.settings,
                             project_dir=request.project_dir, result=result)
            if unit is not None:
                units.append(unit)
        else:
            found = _files(request, echo)
            if found is None:
                return EXIT_USAGE
            files, errors = found
            result.scanned = len(files)
            result.issues += [FileIssue(e.path, e.reason) for e in errors]
            for path in files:
                migrated = migrate_file(path, rules=request.rules, settings=request.settings)
                if migrated.error is not None:
                    result.issues.append(FileIssue(path, migrated.error))
                    continue
                if migrated.unrecorded:
                    result.issues.append(FileIssue(path, migrated.unrecorded))
                    continue
                unit = unit_of(migrated, workspace, request.project_dir)
                if unit is not None:
                    units.append(unit)
        _starting(echo, request.quiet, sum(len(u.conversions) for u in units), len(units))
        try:
            verify_units(units, finder, request.options, result)
        except CasesError as error:  # a cases file found beside one of the files
            echo(str(error), err=True)
            return EXIT_USAGE
        except KeyboardInterrupt:
            echo("migrate-tf: interrupted; the worker processes were stopped", err=True)
            return 130
    _print_result(result, echo, quiet=request.quiet)
    status = _write_report(request, result, echo, "verify")
    if result.failed or status != EXIT_OK:
        return EXIT_FAILED
    if request.strict and result.count("unverified"):
        return EXIT_FAILED
    return EXIT_OK


def run_apply_verified(request: VerifyRequest, echo: Echo) -> int:
    from migrate_tf.harness.apply import apply_verified
    from migrate_tf.harness.verify import FileIssue

    try:
        finder = _finder(request)
    except CasesError as error:
        echo(str(error), err=True)
        return EXIT_USAGE
    found = _files(request, echo)
    if found is None:
        return EXIT_USAGE
    files, errors = found

    def on_round(number: int, result: VerifyResult) -> None:
        if number > 1 and not request.quiet:
            echo("")
            echo(f"Round {number}: the files above with conversions that did not pass, "
                 "migrated again without them:")
        _print_result(result, echo, quiet=request.quiet)

    if not request.quiet:
        echo("migrate-tf apply --verify: migrating in memory and verifying before writing...",
             err=True)
    try:
        outcome = apply_verified(
            files, rules=request.rules, settings=request.settings, finder=finder,
            options=request.options, project_dir=request.project_dir, on_round=on_round,
        )
    except CasesError as error:
        echo(str(error), err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        echo("migrate-tf: interrupted; files already written are complete, the rest untouched",
             err=True)
        return 130
    outcome.issues = [FileIssue(e.path, e.reason) for e in errors] + outcome.issues
    for issue in outcome.issues:
        echo(f"{issue.path}: error: {issue.message}", err=True)
    conversions = sum(outcome.written.values())
    not_applied = len(outcome.not_applied)
    if not request.quiet:
        echo(
            f"apply --verify: {len(outcome.written)} file(s) written ({conversions} verified "
            f"conversion(s)); {not_applied} conversion(s) not applied "
            f"({outcome.unverified} unverified, {not_applied - outcome.unverified} FAIL); "
            f"{len(outcome.issues)} error(s)"
        )
    status = EXIT_OK
    if outcome.rounds and request.report:
        # the rows of the first round (every conversion), and what was written in the end
        first = outcome.rounds[0]
        first.issues = outcome.issues
        status = _write_report(
            request, first, echo, "apply --verify",
            extra={"rounds": len(outcome.rounds),
                   "written": sorted(p.replace(os.sep, "/") for p in outcome.written),
                   "not_applied": [f"{r.check.location} {r.check.label}: {r.status}"
                                   for r in outcome.not_applied]},
        )
    if outcome.failed or status != EXIT_OK:
        return EXIT_FAILED
    if request.strict and outcome.unverified:
        return EXIT_FAILED
    return EXIT_OK


__all__ = ["VerifyRequest", "run_apply_verified", "run_verify"]
