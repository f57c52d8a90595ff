"""The ``migrate-tf`` command line.

``apply`` rewrites files in place, ``diff`` shows what ``apply`` would do, ``verify``
runs the old and the migrated code and compares them, ``rules`` documents the rules. Exit codes follow ruff: 0 success, 1 a file failed (or ``diff
--check`` found changes), 2 a usage or configuration error.

Start-up stays fast: only click is imported here; libcst, the rules and the engine are
imported inside the commands, and nothing here ever imports TensorFlow. LibCST is
imported first through :mod:`migrate_tf._fast_import`, which keeps the code
``dataclasses`` compiles for LibCST's classes in a cache file (``~/.cache/migrate-tf``;
``MIGRATE_TF_CACHE_DIR`` moves it, ``MIGRATE_TF_NO_CACHE=1`` turns it off), and the
garbage collector is paused while the engine is imported, then what was imported frozen.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

import click

from migrate_tf import __version__

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
STDIN = "-"
#: Below this many files a progress bar would only flicker.
PROGRESS_MIN_FILES = 50


class _StreamFailure(Exception):
    """stdin or stdout failed (a full disk, an I/O error): one error line, exit 1."""


class _UsageFailure(Exception):
    """A usage or configuration problem: its lines go to stderr and the exit code is 2."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _split_codes(values: Sequence[str]) -> tuple[str, ...]:
    """``--select A,B --select C`` -> (A, B, C)."""
    codes = []
    for value in values:
        codes.extend(part for part in value.replace(",", " ").split() if part)
    return tuple(codes)


def _run_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by ``apply`` and ``diff``."""
    options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path()),
        click.option(
            "--select",
            multiple=True,
            metavar="CODES",
            help="Only these rules: comma-separated codes, prefixes (MTF2) or names.",
        ),
        click.option(
            "--ignore",
            multiple=True,
            metavar="CODES",
            help="Leave these rules out: codes, prefixes or names.",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="GLOB",
            help="Skip paths matching this glob (replaces the configured excludes).",
        ),
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            default=None,
            metavar="N",
            help="Worker processes (default: one per CPU).",
        ),
        click.option(
            "--report",
            type=click.Path(dir_okay=False),
            default=None,
            metavar="FILE",
            help="Also write a report: FILE.json (for machines), FILE.md (for a PR) "
            "or FILE.sarif (for code scanning).",
        ),
        click.option(
            "--no-progress", is_flag=True, help="Never show the progress bar."
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="Print errors only: no findings, no summary.",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            default=None,
            metavar="FILE",
            help="Use this pyproject.toml instead of looking for one.",
        ),
        click.option(
            "--stdin-filename",
            default=None,
            metavar="NAME",
            help="With PATH '-': the file name stdin stands for (messages, config, excludes).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="migrate-tf", message="%(prog)s %(version)s")
def main() -> None:
    """Migrate TensorFlow 1 and Keras 2 code to idiomatic Keras 3."""


def _verify_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Options of ``verify`` (and of ``apply --verify``)."""
    options = [
        click.option(
            "--cases",
            type=click.Path(dir_okay=False, exists=True),
            default=None,
            metavar="FILE",
            help="Cases file to use (default: the nearest migrate-tf.cases.toml, "
            "then [tool.migrate-tf.cases]).",
        ),
        click.option(
            "--atol",
            type=click.FloatRange(min=0),
            default=None,
            help="Absolute tolerance for outputs (default 1e-5).",
        ),
        click.option(
            "--rtol",
            type=click.FloatRange(min=0),
            default=None,
            help="Relative tolerance for outputs (default 1e-6).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=None,
            metavar="SECONDS",
            help="Time limit per case and side (default 60).",
        ),
        click.option(
            "--memory-limit",
            type=click.IntRange(min=256),
            default=None,
            metavar="MB",
            help="Address-space limit of each worker process (default 4096).",
        ),
        click.option(
            "--strict",
            is_flag=True,
            help="Exit with 1 when a conversion is unverified, not only when one fails.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


VERIFY_OPTION_NAMES = ("cases", "atol", "rtol", "timeout", "memory_limit", "strict")


@main.command("apply")
@_run_options
@click.option(
    "--annotate",
    is_flag=True,
    help="Add a '# migrate-tf: CODE message' comment above each finding.",
)
@click.option(
    "--verify",
    "verify",
    is_flag=True,
    help="Run the old and the new code first and write only conversions that pass "
    "(executes your code; see 'migrate-tf verify').",
)
@_verify_options
def apply_command(**options: Any) -> None:
    """Migrate PATHS in place ('-' reads stdin and writes stdout)."""
    verify = options.pop("verify")
    verify_options = {name: options.pop(name) for name in VERIFY_OPTION_NAMES}
    if verify:
        _exit(_execute_verify("apply", verify_options=verify_options, **options))
    given = [name for name, value in verify_options.items() if value not in (None, False)]
    if given:
        flag = "--" + given[0].replace("_", "-")
        click.echo(f"error: {flag} only applies with --verify", err=True)
        _exit(EXIT_USAGE)
    _exit(_execute("apply", **options))


@main.command("verify")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--pair",
    is_flag=True,
    help="PATHS are OLD NEW: old code and code already migrated (detected when unambiguous).",
)
@click.option("--select", multiple=True, metavar="CODES", help="Only these rules.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Leave these rules out.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching this glob.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Also write a report: FILE.json (for machines) or FILE.md (for a PR).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print failures and errors only.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Use this pyproject.toml instead of looking for one.",
)
@_verify_options
def verify_command(**options: Any) -> None:
    """Run the old and the migrated code of PATHS and compare them (writes nothing).

    Each conversion is migrated in memory, then the old code and the new code run in
    separate TensorFlow processes on the same inputs: the variables, the outputs
    (after copying the old values into the new weights by name), the initial value
    distributions, the regularization losses and the sharing of reused scopes are
    compared. 'verify OLD NEW' compares code already migrated with its old version.

    Arguments come from migrate-tf.cases.toml (the nearest one above each file) or
    [tool.migrate-tf.cases] in pyproject.toml: one table per function or class,
    named as the old code names it, one key per parameter, tensors written as
    dtype[shape] (for example x = "float32[4, 16]"). What cannot be inferred is
    reported as 'unverified: needs a case for ...' with the lines to add.

    \b
    Exit codes: 0 every conversion passed or is unverified (--strict: passed),
    1 a conversion failed or a file could not be verified, 2 usage error.

    This executes your code (the old and the new), with a timeout and a memory
    limit per case.
    """
    pair = options.pop("pair")
    verify_options = {name: options.pop(name) for name in VERIFY_OPTION_NAMES}
    _exit(
        _execute_verify(
            "verify", verify_options=verify_options, pair=pair, jobs=None, no_progress=True,
            stdin_filename=None, **options,
        )
    )


@main.command("diff")
@_run_options
@click.option("--check", is_flag=True, help="Exit with 1 when any file would change.")
@click.option(
    "-i",
    "--interactive",
    is_flag=True,
    help="Review each hunk and write the ones you accept, as 'git add -p': y apply, "
    "n skip, a apply the rest of the file, d skip the rest of the file, q quit (the "
    "file's hunks accepted so far are written; so does end of input), ? help. Needs a "
    "terminal. Exit 0, or 1 when a file failed (with --check: also when changes remain).",
)
def diff_command(**options: Any) -> None:
    """Show what 'apply' would change, as a unified diff; write nothing (except with
    --interactive: the hunks you accept)."""
    if options.pop("interactive"):
        _exit(_execute_interactive(**options))
    _exit(_execute("diff", **options))


def _execute_interactive(
    *, paths, report, stdin_filename, jobs, quiet, check, no_progress, **options: Any
) -> int:
    """``diff --interactive`` (see :mod:`migrate_tf.engine.interactive`)."""
    problem = None
    if STDIN in paths:
        problem = "error: --interactive reviews files; it cannot take '-' (stdin)"
    elif report is not None:
        problem = "error: --report does not combine with --interactive"
    elif not _isatty(sys.stdin):
        problem = "error: --interactive asks about each hunk: stdin must be a terminal"
    if problem is not None:
        click.echo(problem, err=True)
        return EXIT_USAGE
    prepared = _prepare_or_explain(
        "diff", paths=paths, report=None, stdin_filename=stdin_filename, annotate=False, **options
    )
    if prepared is None:
        return EXIT_USAGE
    settings, project_dir, rules = prepared

    from migrate_tf.engine.diff import use_color
    from migrate_tf.engine.interactive import Console, review_paths

    stdout = sys.stdout

    def write(text: str) -> None:
        click.echo(text, nl=False, color=color, file=stdout)
        stdout.flush()

    def read_line() -> str | None:
        line = sys.stdin.readline()
        return line if line else None

    color = use_color(stdout)
    return review_paths(
        paths, settings=settings, rules=rules, project_dir=project_dir, jobs=jobs, quiet=quiet,
        check=check, no_progress=no_progress, console=Console(write, read_line, color),
        err=lambda line: click.echo(line, err=True),
    )


@main.command("lsp")
@click.option("--tcp", is_flag=True, help="Listen on TCP instead of talking over stdin/stdout.")
@click.option("--host", default="127.0.0.1", show_default=True, help="With --tcp: the address.")
@click.option("--port", type=click.IntRange(0, 65535), default=2087, show_default=True,
              help="With --tcp: the port.")
def lsp_command(tcp: bool, host: str, port: int) -> None:
    """Run the language server (diagnostics and code actions for editors)."""
    from migrate_tf.lsp import MissingDependency, serve

    try:
        serve(tcp=tcp, host=host, port=port)
    except MissingDependency as error:
        click.echo(f"error: {error}", err=True)
        _exit(EXIT_FAILED)


@main.command("rules")
@click.argument("rule", required=False, metavar="[CODE|NAME]")
def rules_command(rule: str | None) -> None:
    """List every rule, or show one rule's documentation."""
    from migrate_tf._fast_import import collector_paused, import_libcst

    with collector_paused():
        import_libcst()
        from migrate_tf.rules import UnknownRuleError, all_rules, get_rule

        rules = all_rules()
    if rule is not None:
        try:
            chosen = get_rule(rule)
        except UnknownRuleError as error:
            click.echo(f"error: {error} (see 'migrate-tf rules' for the list)", err=True)
            _exit(EXIT_USAGE)
        click.echo(chosen.documentation(), nl=False)
        return
    code_width = max((len(r.CODE) for r in rules), default=0)
    name_width = max((len(r.NAME) for r in rules), default=0)
    for r in rules:
        click.echo(f"{r.CODE:<{code_width}}  {r.NAME:<{name_width}}  {r.SUMMARY}")


def _exit(code: int) -> None:
    click.get_current_context().exit(code)


# apply / diff ---------------------------------------------------------------------


def _execute(
    command: str,
    *,
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    jobs: int | None,
    report: str | None,
    no_progress: bool,
    quiet: bool,
    config_file: str | None,
    stdin_filename: str | None,
    annotate: bool = False,
    check: bool = False,
) -> int:
    prepared = _prepare_or_explain(
        command,
        paths=paths,
        select=select,
        ignore=ignore,
        exclude=exclude,
        report=report,
        config_file=config_file,
        stdin_filename=stdin_filename,
        annotate=annotate,
    )
    if prepared is None:
        return EXIT_USAGE
    settings, project_dir, rules = prepared

    from migrate_tf.engine.report import ReportContext

    context = ReportContext(
        command=command,
        paths=paths if paths != (STDIN,) else (stdin_filename or STDIN,),
        settings=settings,
        rules=tuple(rule.CODE for rule in rules),
    )
    try:
        if paths == (STDIN,):
            return _run_stdin(
                command,
                settings=settings,
                rules=rules,
                project_dir=project_dir,
                stdin_filename=stdin_filename,
                report=report,
                quiet=quiet,
                check=check,
                context=context,
            )
        return _run_files(
            command,
            paths=paths,
            settings=settings,
            rules=rules,
            project_dir=project_dir,
            jobs=jobs,
            report=report,
            no_progress=no_progress,
            quiet=quiet,
            check=check,
            context=context,
        )
    except KeyboardInterrupt as interrupt:
        _report_interrupt(interrupt, dry_run=command != "apply", quiet=quiet)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `migrate-tf diff . | head`: the reader left; stop quietly, as other tools do.
        _silence_stdout()
        return EXIT_FAILED
    except _StreamFailure as failure:
        _silence_stdout()
        click.echo(f"migrate-tf: error: {failure}", err=True)
        return EXIT_FAILED


def _prepare_or_explain(command: str, **options):
    """:func:`_prepare`, or None after printing why the request is unusable."""
    from migrate_tf._fast_import import collector_paused

    try:
        with collector_paused():  # start-up: LibCST, the engine and the rules are imported
            return _prepare(command, **options)
    except _UsageFailure as failure:
        for line in failure.lines:
            click.echo(line, err=True)
        return None


def _report_interrupt(interrupt: KeyboardInterrupt, *, dry_run: bool, quiet: bool) -> None:
    """Ctrl-C: what was done before it (the runner's RunInterrupted says), in one line."""
    partial = getattr(interrupt, "result", None)
    total = getattr(interrupt, "total", None)
    if partial is None or total is None:
        click.echo(
            "migrate-tf: interrupted; files already written are complete, the rest untouched",
            err=True,
        )
        return
    _print_outcome(partial, dry_run=dry_run, quiet=quiet)
    left = total - partial.scanned
    if dry_run:
        done = "nothing was written"
    else:
        done = (
            f"{_count(partial.changed, 'file')} written, each complete; the other "
            f"{_count(left, 'file')} untouched (run apply again to finish)"
        )
    click.echo(
        f"migrate-tf: interrupted after {partial.scanned} of {_count(total, 'file')}; {done}",
        err=True,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _execute_verify(
    command: str,
    *,
    verify_options: dict,
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    report: str | None,
    quiet: bool,
    config_file: str | None,
    stdin_filename: str | None,
    jobs: int | None = None,
    no_progress: bool = False,
    annotate: bool = False,
    pair: bool = False,
) -> int:
    """``verify`` and ``apply --verify`` (see :mod:`migrate_tf.harness.command`)."""
    if STDIN in paths:
        click.echo(f"error: '{command} --verify' and 'verify' need files, not stdin", err=True)
        return EXIT_USAGE
    if report is not None and report.lower().endswith(".sarif"):
        click.echo("error: --report: verify writes FILE.json or FILE.md, not SARIF", err=True)
        return EXIT_USAGE
    prepared = _prepare_or_explain(
        command,
        paths=paths,
        select=select,
        ignore=ignore,
        exclude=exclude,
        report=report,
        config_file=config_file,
        stdin_filename=stdin_filename,
        annotate=annotate,
    )
    if prepared is None:
        return EXIT_USAGE
    settings, project_dir, rules = prepared

    from migrate_tf.harness.command import VerifyRequest, run_apply_verified, run_verify
    from migrate_tf.harness.verify import Options

    defaults = Options()
    options = Options(
        rtol=verify_options["rtol"] if verify_options["rtol"] is not None else defaults.rtol,
        atol=verify_options["atol"] if verify_options["atol"] is not None else defaults.atol,
        timeout=verify_options["timeout"] or defaults.timeout,
        memory_mb=verify_options["memory_limit"] or defaults.memory_mb,
    )
    request = VerifyRequest(
        paths=paths,
        settings=settings,
        rules=rules,
        project_dir=project_dir,
        options=options,
        cases=verify_options["cases"],
        pair=pair,
        strict=verify_options["strict"],
        quiet=quiet,
        report=report,
    )
    try:
        if command == "apply":
            return run_apply_verified(request, click.echo)
        return run_verify(request, click.echo)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_FAILED


def _prepare(
    command: str,
    *,
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    report: str | None,
    config_file: str | None,
    stdin_filename: str | None,
    annotate: bool,
):
    """Check the invocation and resolve settings and rules; raises _UsageFailure."""
    from migrate_tf._fast_import import import_libcst

    import_libcst()  # before the engine and the rules import it, for a faster start
    from migrate_tf.config import ConfigError, find_pyproject, load_settings
    from migrate_tf.engine.report import ReportFormatError, report_format
    from migrate_tf.rules import UnknownRuleError, select_rules

    if STDIN in paths and len(paths) > 1:
        raise _UsageFailure("error: '-' (stdin) must be the only PATH")
    if stdin_filename is not None and paths != (STDIN,):
        raise _UsageFailure("error: --stdin-filename only applies when PATH is '-'")
    if paths != (STDIN,):
        missing = [path for path in paths if not os.path.exists(path)]
        if missing:
            raise _UsageFailure(*(f"{path}: error: {_missing_reason(path)}" for path in missing))
    if report is not None:
        try:
            report_format(report)
        except ReportFormatError as error:
            raise _UsageFailure(f"error: --report: {error}") from None

    try:
        if config_file is not None:
            pyproject: Path | None = Path(config_file)
            if not pyproject.is_file():
                raise ConfigError(f"{config_file}: error: configuration file not found")
        else:
            if paths == (STDIN,):
                start = Path(stdin_filename).parent if stdin_filename else Path.cwd()
            else:
                start = Path(paths[0])
            if not start.exists():
                start = Path.cwd()
            pyproject = find_pyproject(start)
        settings = load_settings(pyproject)
    except ConfigError as error:
        raise _UsageFailure(str(error)) from None

    settings = settings.merged(
        select=_split_codes(select),
        ignore=_split_codes(ignore),
        exclude=tuple(exclude),
        annotate=True if annotate else None,
    )
    try:
        rules = select_rules(list(settings.select) or None, list(settings.ignore) or None)
    except UnknownRuleError as error:
        raise _UsageFailure(f"error: {error} (see 'migrate-tf rules')") from None
    project_dir = pyproject.resolve().parent if pyproject is not None else None
    return settings, project_dir, rules


def _missing_reason(path: str) -> str:
    """Why a path does not exist: usually not there, sometimes a symbolic link loop."""
    try:
        os.stat(path)
    except OSError as error:
        return error.strerror or "No such file or directory"
    return "No such file or directory"


def _print_outcome(result, *, dry_run: bool, quiet: bool) -> None:
    from migrate_tf.engine.report import failure_lines, finding_lines, summary_line

    if not quiet:
        for line in finding_lines(result):
            click.echo(line, err=True)
    for line in failure_lines(result):
        click.echo(line, err=True)
    if not quiet:
        click.echo(summary_line(result, dry_run=dry_run), err=True)


def _write_report(report: str | None, result, context) -> int:
    from migrate_tf.engine.report import write_report

    if report is None:
        return EXIT_OK
    try:
        write_report(report, result, context)
    except OSError as error:
        click.echo(f"{report}: error: cannot write the report: {error.strerror or error}", err=True)
        return EXIT_FAILED
    return EXIT_OK


def _exit_code(result, *, check: bool, report_status: int) -> int:
    if result.failed or report_status != EXIT_OK:
        return EXIT_FAILED
    if check and result.changed:
        return EXIT_FAILED
    return EXIT_OK


def _diff_printer() -> Callable[[Any], None]:
    from migrate_tf.engine.diff import colorize, unified_diff, use_color

    stdout = sys.stdout
    color = use_color(stdout)

    def print_diff(result) -> None:
        if result.status != "changed":
            return
        text = unified_diff(result.path, result.data, result.output)
        with _writing_stdout():
            click.echo(colorize(text) if color else text, nl=False, color=color, file=stdout)

    return print_diff


def _run_files(
    command: str,
    *,
    paths: tuple[str, ...],
    settings,
    rules,
    project_dir: Path | None,
    jobs: int | None,
    report: str | None,
    no_progress: bool,
    quiet: bool,
    check: bool,
    context,
) -> int:
    from migrate_tf.engine.discovery import MissingPathsError, discover, path_sort_key
    from migrate_tf.engine.runner import FileResult, run

    dry_run = command != "apply"
    try:
        discovery = discover(paths, settings.exclude, project_dir=project_dir)
    except MissingPathsError as error:  # removed since the arguments were checked
        for path in error.paths:
            click.echo(f"{path}: error: No such file or directory", err=True)
        return EXIT_USAGE
    # A bar on the same terminal as the diff would be torn apart by it.
    progress = (
        not no_progress
        and not quiet
        and len(discovery.files) > PROGRESS_MIN_FILES
        and _isatty(sys.stderr)
        and not (dry_run and _isatty(sys.stdout))
    )
    result = run(
        discovery.files,
        rules=rules,
        settings=settings,
        write=not dry_run,
        jobs=jobs,
        progress=progress,
        on_result=_diff_printer() if dry_run else None,
    )
    if discovery.errors:
        result.files.extend(
            FileResult(path=error.path, status="failed", error=error.reason)
            for error in discovery.errors
        )
        result.files.sort(key=lambda file: path_sort_key(file.path))
    _print_outcome(result, dry_run=dry_run, quiet=quiet)
    report_status = _write_report(report, result, context)
    return _exit_code(result, check=check, report_status=report_status)


def _run_stdin(
    command: str,
    *,
    settings,
    rules,
    project_dir: Path | None,
    stdin_filename: str | None,
    report: str | None,
    quiet: bool,
    check: bool,
    context,
) -> int:
    from migrate_tf.engine.discovery import is_excluded
    from migrate_tf.engine.runner import FileResult, RunResult, migrate_data

    try:
        data = _binary(sys.stdin).read()
    except OSError as error:
        raise _StreamFailure(f"cannot read stdin: {error.strerror or error}") from None
    stdout = _binary(sys.stdout)
    display = stdin_filename or STDIN
    if stdin_filename and is_excluded(stdin_filename, settings.exclude, project_dir=project_dir):
        # Excluded by the project: hand the buffer back exactly as it came.
        if command == "apply":
            with _writing_stdout():
                stdout.write(data)
                stdout.flush()
        result = RunResult(files=[FileResult(path=display, status="unchanged")])
    else:
        file_result = migrate_data(data, display, rules=rules, settings=settings)
        result = RunResult(files=[file_result])
        if command == "apply":
            # On failure the original goes back out: an editor must never lose its buffer.
            with _writing_stdout():
                stdout.write(file_result.output if file_result.changed else data)
                stdout.flush()
        elif file_result.changed:
            _diff_printer()(file_result)
    for line in _stdin_messages(result, quiet=quiet):
        click.echo(line, err=True)
    report_status = _write_report(report, result, context)
    return _exit_code(result, check=check, report_status=report_status)


def _stdin_messages(result, *, quiet: bool) -> list[str]:
    """Findings and errors for stdin; no summary, a single buffer needs none."""
    from migrate_tf.engine.report import failure_lines, finding_lines

    return ([] if quiet else finding_lines(result)) + failure_lines(result)


@contextlib.contextmanager
def _writing_stdout():
    """A failed write to stdout (other than a closed pipe) becomes a _StreamFailure."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _StreamFailure(f"cannot write to stdout: {error.strerror or error}") from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def _binary(stream):
    """The byte stream under a text stream: stdin and stdout carry source bytes as-is."""
    return getattr(stream, "buffer", stream)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


__all__ = ["main"]
