"""Which files a run touches: walk the given paths the way a user of ruff expects.

Rules, in the order they are applied to a walked entry:

* Directories that are never source code are skipped (VCS metadata, caches, build
  output, ``node_modules``, ``site-packages`` and any virtual environment, i.e. any
  directory holding a ``pyvenv.cfg``).
* ``--exclude`` globs (fnmatch style) are matched against the path relative to the
  root it was found under, relative to the current directory and to the project
  directory, and against the entry's own name; so ``tests`` and ``legacy/*.py`` both
  work. A matching directory is not entered.
* Inside a git work tree, ``.gitignore`` files (the root one, nested ones, and
  ``.git/info/exclude``) are honoured with git's precedence: the deepest file that
  has an opinion decides, and within a file the last matching pattern wins.
  Outside a git work tree no ``.gitignore`` is read.
* Symbolic links are followed only when their target lies inside one of the given
  roots; each real file is listed once (under a path without symlinks if it has one)
  and directory cycles are walked once. Links that lead nowhere (dangling, or a loop)
  are skipped like any other entry that is not a file.
* The writer's temporary files (``.migrate-tf-tmp-*``, left behind only by a run that
  was killed) are never taken as inputs.

Explicitly named files are taken whatever their extension, even when gitignored, but
``--exclude`` still applies to them (so editors can pass every file and let the
project configuration decide). An explicitly named directory is walked even when it
is itself gitignored; ``.gitignore`` files inside it still apply.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
import stat
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING, Callable, Iterable, NamedTuple, Sequence

from migrate_tf.engine.writer import is_temporary

if TYPE_CHECKING:
    import pathspec

#: Directory names that never hold code worth migrating.
ALWAYS_SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".eggs",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        "site-packages",
    }
)
ALWAYS_SKIPPED_DIR_GLOBS = ("*.egg-info",)
#: The marker file of a virtual environment (PEP 405); its directory is skipped.
VENV_MARKER = "pyvenv.cfg"
SOURCE_SUFFIX = ".py"
#: What a directory walk takes: Python files and Jupyter notebooks.
SOURCE_SUFFIXES = (SOURCE_SUFFIX, ".ipynb")


class MissingPathsError(Exception):
    """Some paths given on the command line do not exist (a usage error)."""

    def __init__(self, paths: Sequence[str]) -> None:
        super().__init__(", ".join(paths))
        self.paths = list(paths)


@dataclasses.dataclass(frozen=True)
class DiscoveryError:
    """A path that could not be walked; reported as one line, the run goes on."""

    path: str
    reason: str


@dataclasses.dataclass
class Discovery:
    """The files to migrate (sorted, each real file once) and what could not be read."""

    files: list[str]
    errors: list[DiscoveryError] = dataclasses.field(default_factory=list)


#: Whether ``Path`` parses POSIX paths, so that :func:`path_sort_key` can split a
#: plain path on "/" itself instead of building a ``Path`` for each file.
_POSIX_PATHS = isinstance(Path(), PurePosixPath)


def path_sort_key(path: str) -> tuple[str, ...]:
    """Sort paths component by component, so ``a/b.py`` comes before ``a-b.py``.

    The key is ``Path(path).parts``. A POSIX path with no empty or ``.`` component
    (what discovery produces) is split with string operations, to the same parts;
    anything else is left to ``Path``.
    """
    if _POSIX_PATHS and type(path) is str:
        if path.startswith("/"):
            parts = path[1:].split("/")
            if "" not in parts and "." not in parts:
                return ("/", *parts)
        else:
            parts = path.split("/")
            if "" not in parts and "." not in parts:
                return tuple(parts)
    return Path(path).parts


# Excludes --------------------------------------------------------------------------


def _normalize_pattern(pattern: str) -> str:
    pattern = pattern.strip().replace("\\", "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.rstrip("/") or pattern


class ExcludeMatcher:
    """``--exclude`` globs, matched against several spellings of a path.

    A glob is compared with the path relative to the root being walked, relative to
    each base directory (the current directory, the project directory) when the path
    lies inside it, and with the entry's own name.
    """

    def __init__(self, patterns: Iterable[str], bases: Iterable[str | os.PathLike] = ()):
        self.patterns = tuple(p for p in (_normalize_pattern(p) for p in patterns) if p)
        self._regex = (
            re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in self.patterns))
            if self.patterns
            else None
        )
        unique_bases = []
        for base in bases:
            absolute = os.path.abspath(base)
            if absolute not in unique_bases:
                unique_bases.append(absolute)
        self.bases = tuple(unique_bases)

    def __bool__(self) -> bool:
        return self._regex is not None

    def _relative_to_bases(self, absolute: str) -> Iterable[str]:
        for base in self.bases:
            prefix = base if base.endswith(os.sep) else base + os.sep
            if absolute.startswith(prefix):
                yield absolute[len(prefix) :].replace(os.sep, "/")

    def matches(
        self,
        absolute: str,
        relative_to_root: str | None = None,
        *,
        name: str | None = None,
        components: bool = False,
    ) -> bool:
        """Whether the entry at ``absolute`` is excluded.

        ``name`` is the entry's own name (by default the last component of
        ``absolute``; "" for a path like ``.``, whose name the user did not write).
        ``components`` also tries every component (and every leading directory path)
        of the paths relative to the base directories; it is for paths named on the
        command line, whose parent directories were not walked (and so not matched)
        one by one.
        """
        if self._regex is None:
            return False
        candidates = {os.path.basename(absolute) if name is None else name}
        if relative_to_root:
            candidates.add(relative_to_root)
        for relative in self._relative_to_bases(absolute):
            candidates.add(relative)
            if components:
                # Each directory on the way, by name and by path: a file inside an
                # excluded directory is excluded.
                parts = [part for part in relative.split("/") if part]
                candidates.update(parts)
                candidates.update("/".join(parts[:end]) for end in range(1, len(parts)))
        return any(self._regex.match(candidate) for candidate in candidates if candidate)


# .gitignore ------------------------------------------------------------------------

class _IgnoreFile:
    """One ignore file's patterns and the directory they are relative to.

    pathspec's ``check_file`` costs several microseconds a path, and almost every
    path matches no pattern at all. Its verdict can only be other than None when an
    including or excluding pattern's regular expression matches the path, so those
    expressions are tried first (``search`` finds whatever ``match`` would); only a
    path one of them matches is handed to ``check_file``, which decides as before.
    """

    __slots__ = ("base", "prefix", "spec", "_searches")

    def __init__(self, base: str, spec: pathspec.PathSpec) -> None:
        self.base = base
        self.prefix = base if base.endswith(os.sep) else base + os.sep
        self.spec = spec
        self._searches = _pattern_searches(spec)

    def verdict(self, relative: str) -> bool | None:
        """``check_file``'s verdict for a "/"-separated path relative to ``base``."""
        searches = self._searches
        # (check_file drops a leading "/" or "./" first; such a path goes to it.)
        if searches is not None and not relative.startswith(("/", "./")):
            for search in searches:
                if search(relative) is not None:
                    break
            else:
                return None
        return self.spec.check_file(relative).include


def _pattern_searches(spec: pathspec.PathSpec) -> tuple | None:
    """The ``search`` of every pattern with an opinion, or None when some pattern is
    not a plain regular-expression pattern (then every path goes to ``check_file``)."""
    import pathspec

    searches = []
    for pattern in spec.patterns:
        if pattern.include is None:
            continue
        regex = getattr(pattern, "regex", None)
        if not isinstance(pattern, pathspec.RegexPattern) or not isinstance(regex, re.Pattern):
            return None
        searches.append(regex.search)
    return tuple(searches)


# A stack of ignore files, shallowest first: the ones that apply in one directory.
# None means "not inside a git work tree".
_IgnoreStack = tuple[_IgnoreFile, ...]


def _read_spec(path: str) -> pathspec.PathSpec | None:
    """The patterns of an ignore file; None when it is missing, unreadable, or has no
    pattern that includes or excludes anything (only comments and blank lines)."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return None
    except OSError:
        # An unreadable ignore file is not worth failing the run over; git itself
        # only warns.
        return None
    import pathspec  # only where an ignore file is read: not for --stdin-filename

    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    if not any(pattern.include is not None for pattern in spec.patterns):
        return None  # it can have no opinion on any path
    return spec


def _git_dir(worktree: str) -> str | None:
    """The git directory of a work tree (``.git`` may be a ``gitdir:`` file)."""
    dot_git = os.path.join(worktree, ".git")
    if os.path.isdir(dot_git):
        return dot_git
    try:
        with open(dot_git, encoding="utf-8") as handle:
            first = handle.readline().strip()
    except OSError:
        return None
    if first.startswith("gitdir:"):
        git_dir = first[len("gitdir:") :].strip()
        git_dir = os.path.normpath(os.path.join(worktree, git_dir))
        # Linked work trees keep info/exclude in the common directory.
        try:
            with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as handle:
                common = handle.read().strip()
            git_dir = os.path.normpath(os.path.join(git_dir, common))
        except OSError:
            pass
        return git_dir
    return None


def _worktree_stack(worktree: str) -> _IgnoreStack:
    """The ignore files of a work tree's root: info/exclude, then .gitignore."""
    stack: list[_IgnoreFile] = []
    git_dir = _git_dir(worktree)
    if git_dir is not None:
        spec = _read_spec(os.path.join(git_dir, "info", "exclude"))
        if spec is not None:
            stack.append(_IgnoreFile(worktree, spec))
    spec = _read_spec(os.path.join(worktree, ".gitignore"))
    if spec is not None:
        stack.append(_IgnoreFile(worktree, spec))
    return tuple(stack)


def _find_worktree(directory: str) -> str | None:
    current = directory
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _is_ignored(stack: _IgnoreStack | None, absolute: str, is_dir: bool) -> bool:
    """Git's verdict for one path: the deepest ignore file with an opinion decides."""
    if not stack:
        return False
    for ignore in reversed(stack):
        prefix = ignore.prefix
        if not absolute.startswith(prefix):
            continue
        relative = absolute[len(prefix) :].replace(os.sep, "/")
        if is_dir:
            relative += "/"
        verdict = ignore.verdict(relative)
        if verdict is not None:
            return verdict
    return False


def _ignore_checks(stack: _IgnoreStack | None, directory: str) -> tuple[tuple[str, _IgnoreFile], ...]:
    """What :func:`_is_ignored` does for each entry of ``directory``, done once for
    all of them: the ignore files that apply there, deepest first, each with the
    directory's path relative to it ("/"-separated, ending in "/" unless empty).
    An entry's path relative to an ignore file is that plus the entry's name."""
    if not stack:
        return ()
    inside = directory if directory.endswith(os.sep) else directory + os.sep
    return tuple(
        (inside[len(ignore.prefix) :].replace(os.sep, "/"), ignore)
        for ignore in reversed(stack)
        if inside.startswith(ignore.prefix)
    )


def _is_ignored_in(checks: tuple[tuple[str, _IgnoreFile], ...], name: str, is_dir: bool) -> bool:
    """:func:`_is_ignored` for the entry ``name`` of the directory of ``checks``."""
    for relative_directory, ignore in checks:
        relative = relative_directory + name
        if is_dir:
            relative += "/"
        verdict = ignore.verdict(relative)
        if verdict is not None:
            return verdict
    return False


def _stack_for_root(root_abs: str) -> _IgnoreStack | None:
    """The ignore files that apply inside ``root_abs``, from its work tree down to it.

    When the root itself is ignored (the user named an ignored directory on purpose),
    only ignore files inside the root apply: patterns above it would hide everything.
    """
    worktree = _find_worktree(root_abs)
    if worktree is None:
        return None
    stack = list(_worktree_stack(worktree))
    relative = os.path.relpath(root_abs, worktree)
    parts = [] if relative == os.curdir else relative.split(os.sep)
    directory = worktree
    for part in parts:
        directory = os.path.join(directory, part)
        if _is_ignored(tuple(stack), directory, is_dir=True):
            # Everything above the root stops applying; keep going down to the root.
            stack = []
        spec = _read_spec(os.path.join(directory, ".gitignore"))
        if spec is not None:
            stack.append(_IgnoreFile(directory, spec))
    return tuple(stack)


# Walking ---------------------------------------------------------------------------


class _Candidate(NamedTuple):
    display: str
    real: str
    via_symlink: bool


@dataclasses.dataclass
class _Directory:
    display: str  # str(Path(...)): as the user spelled the root, then name by name
    absolute: str
    real: str
    relative: str  # to the root, "/"-separated, "" for the root itself
    stack: _IgnoreStack | None
    via_symlink: bool
    is_root: bool = False


def _within(real: str, roots: Sequence[str]) -> bool:
    for root in roots:
        if real == root or real.startswith(root if root.endswith(os.sep) else root + os.sep):
            return True
    return False


def _child_prefix(path: str, join: Callable[[str, str], str]) -> str:
    """What ``join(path, name)`` puts before ``name``, for any name a directory
    listing can hold (never empty, never ``.`` or ``..``, no separator): joining
    a placeholder name and dropping it gives the same string as joining each name."""
    return join(path, "x")[:-1]


def _display_join(display: str, name: str) -> str:
    return str(PurePath(display) / name)


def _is_always_skipped(name: str) -> bool:
    return name in ALWAYS_SKIPPED_DIRS or any(
        fnmatch.fnmatchcase(name, glob) for glob in ALWAYS_SKIPPED_DIR_GLOBS
    )


class _Walker:
    def __init__(self, excludes: ExcludeMatcher, roots_real: Sequence[str], gitignore: bool):
        self.excludes = excludes
        self.roots_real = roots_real
        self.gitignore = gitignore
        self.visited: set[str] = set()
        self.candidates: list[_Candidate] = []
        self.errors: list[DiscoveryError] = []

    def walk(self, roots: Sequence[_Directory]) -> None:
        pending = list(reversed(roots))
        # Symlinked directories wait until every root's real tree is walked, so that
        # a file reachable both ways is listed under its real path and cycles end early.
        deferred: list[_Directory] = []
        while pending or deferred:
            directory = pending.pop() if pending else deferred.pop(0)
            if directory.real in self.visited:
                continue
            self.visited.add(directory.real)
            self._scan(directory, pending, deferred)

    def _scan(
        self, directory: _Directory, pending: list[_Directory], deferred: list[_Directory]
    ) -> None:
        try:
            with os.scandir(directory.absolute) as iterator:
                entries = sorted(iterator, key=lambda entry: entry.name)
        except OSError as error:
            self.errors.append(
                DiscoveryError(
                    directory.display,
                    f"cannot read directory: {error.strerror or error}",
                )
            )
            return
        names = {entry.name for entry in entries}
        if not directory.is_root and VENV_MARKER in names:
            return
        stack = directory.stack
        if self.gitignore and not directory.is_root:
            if ".git" in names:
                # A nested repository: its parent's ignore files stop applying.
                stack = _worktree_stack(directory.absolute)
            elif stack is not None and ".gitignore" in names:
                spec = _read_spec(os.path.join(directory.absolute, ".gitignore"))
                if spec is not None:
                    stack = (*stack, _IgnoreFile(directory.absolute, spec))
        # What every entry's paths start with, worked out once for the directory:
        # an entry's display path is str(Path(directory.display) / name), its real
        # path (unless it is a symlink) os.path.join(directory.real, name).
        display_prefix = _child_prefix(directory.display, _display_join)
        real_prefix = _child_prefix(directory.real, os.path.join)
        relative_prefix = f"{directory.relative}/" if directory.relative else ""
        checks = _ignore_checks(stack, directory.absolute)
        excludes = self.excludes if self.excludes else None
        via_symlink = directory.via_symlink
        candidates = self.candidates
        subdirectories = []
        for entry in entries:
            name = entry.name
            if is_temporary(name):
                # A temporary file of the writer (left by a killed run): never an input.
                continue
            try:
                is_symlink = entry.is_symlink()
                is_dir = entry.is_dir()  # follows symlinks; False for a dangling one
                if not is_dir and not (name.endswith(SOURCE_SUFFIXES) and entry.is_file()):
                    continue
            except OSError:
                continue
            if is_dir and _is_always_skipped(name):
                continue
            relative = relative_prefix + name
            if excludes is not None and excludes.matches(entry.path, relative):
                continue
            if checks and _is_ignored_in(checks, name, is_dir):
                continue
            if is_symlink:
                real = os.path.realpath(entry.path)
                if not _within(real, self.roots_real):
                    continue
            else:
                real = real_prefix + name
            if is_dir:
                child = _Directory(
                    display=display_prefix + name,
                    absolute=entry.path,
                    real=real,
                    relative=relative,
                    stack=stack,
                    via_symlink=via_symlink or is_symlink,
                )
                (deferred if is_symlink else subdirectories).append(child)
            else:
                candidates.append(_Candidate(display_prefix + name, real, via_symlink or is_symlink))
        # pending is a stack: push in reverse so directories are walked in name order.
        pending.extend(reversed(subdirectories))


def discover(
    paths: Sequence[str | os.PathLike],
    exclude: Sequence[str] = (),
    *,
    project_dir: str | os.PathLike | None = None,
    respect_gitignore: bool = True,
) -> Discovery:
    """The Python files under ``paths``, sorted, each real file once.

    Raises :class:`MissingPathsError` (before walking anything) when a path does not
    exist. Unreadable directories become :class:`DiscoveryError` entries.
    ``project_dir`` (the directory of the configuration file) is an extra base for
    ``exclude`` globs, so globs from ``pyproject.toml`` read relative to it.
    """
    missing = [os.fspath(path) for path in paths if not os.path.exists(path)]
    if missing:
        raise MissingPathsError(missing)
    bases: list[str | os.PathLike] = [os.getcwd()]
    if project_dir is not None:
        bases.append(project_dir)
    excludes = ExcludeMatcher(exclude, bases)
    roots_real = [os.path.realpath(path) for path in paths]
    walker = _Walker(excludes, roots_real, respect_gitignore)
    directories = []
    for path in paths:
        display = Path(path)
        absolute = os.path.abspath(path)
        if excludes.matches(absolute, name=display.name, components=True):
            continue
        if os.path.isdir(path):
            directories.append(
                _Directory(
                    display=str(display),
                    absolute=absolute,
                    real=os.path.realpath(path),
                    relative="",
                    stack=_stack_for_root(absolute) if respect_gitignore else None,
                    via_symlink=False,
                    is_root=True,
                )
            )
        elif not _is_regular_file(path):
            # A FIFO, socket or device: reading it could block for ever or never end.
            walker.errors.append(DiscoveryError(str(display), "not a regular file"))
        else:
            walker.candidates.append(
                _Candidate(str(display), os.path.realpath(path), via_symlink=False)
            )
    walker.walk(directories)
    return Discovery(files=_deduplicate(walker.candidates), errors=walker.errors)


def _is_regular_file(path: str | os.PathLike) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # let reading it report the error, as for any file


def _deduplicate(candidates: list[_Candidate]) -> list[str]:
    """One path per real file: prefer a path without symlinks, then the first in order."""
    best: dict[str, _Candidate] = {}
    for candidate in candidates:
        current = best.setdefault(candidate.real, candidate)
        if current is not candidate and (
            (candidate.via_symlink, path_sort_key(candidate.display))
            < (current.via_symlink, path_sort_key(current.display))
        ):
            best[candidate.real] = candidate
    return sorted((c.display for c in best.values()), key=path_sort_key)


def is_excluded(
    path: str | os.PathLike,
    exclude: Sequence[str],
    *,
    project_dir: str | os.PathLike | None = None,
) -> bool:
    """Whether a single named path (e.g. ``--stdin-filename``) is excluded."""
    bases: list[str | os.PathLike] = [os.getcwd()]
    if project_dir is not None:
        bases.append(project_dir)
    return ExcludeMatcher(exclude, bases).matches(
        os.path.abspath(path), name=Path(path).name, components=True
    )


__all__ = [
    "ALWAYS_SKIPPED_DIRS",
    "Discovery",
    "DiscoveryError",
    "ExcludeMatcher",
    "MissingPathsError",
    "discover",
    "is_excluded",
    "path_sort_key",
]
