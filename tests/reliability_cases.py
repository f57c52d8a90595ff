"""The bad-input matrix of issue 8: inputs, faults, and what each entry point must do.

Shared by ``tests/test_reliability_matrix.py`` (every cell a pytest case, the CLI run
in-process with click's CliRunner) and ``tests/reliability_matrix.py`` (``make
reliability``: every cell against the real ``migrate-tf`` in a subprocess, printed as a
table). Each case builds a small project under a base directory::

    base/proj/good.py   a Keras 2 layer that MTF201 migrates: the "other files"
    base/proj/zz_last.py  the same, sorted after every bad input
    base/proj/...       the bad input (a file, a link, a directory)
    base/outside/...    files outside the root, for symlink cases

and names, for each entry point (``apply proj``, ``diff proj``, and the stdin action
``apply - --stdin-filename proj/...``), the exit code, the one error line, and the
bytes every file must have afterwards. After a run, every file is classified: as
expected, changed unexpectedly, lost, or truncated (a strict prefix of its original
or expected bytes). The last three must be zero.

Permission errors are produced for real by the kernel: the case's ``modes`` are set
after the "before" snapshot and the command runs in a subprocess; when the tests run
as root (who ignores permission bits), that subprocess first gives up root's
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (``prctl(PR_CAPBSET_DROP)``, then exec), so
it is refused like any other user. The same faults are also injected by patching
``os``/``builtins`` at the runner's read and write boundary, as is a full disk, and a
test-only rule edits or deletes the file on disk while it is being migrated (between
reading and writing). The patches are applied in-process (pytest's monkeypatch) and in
the subprocess (a launcher that installs the fault, then runs ``migrate_tf.cli.main``).
"""

from __future__ import annotations

import dataclasses
import difflib
import errno
import functools
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

import libcst as cst

from migrate_tf.engine.writer import TEMP_PREFIX
from migrate_tf.rules.base import Rule

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS_DIR = Path(__file__).resolve().parent
ENTRY_POINTS = ("apply", "diff", "stdin")

# The companion file and its migration (MTF201), spelled out: if the rule changes,
# this test should say so rather than follow it.
GOOD = '''import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    """Learned per-feature scale."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.w = tf.Variable(tf.ones([units]), name="w")

    def call(self, x):
        return x * self.w
'''
GOOD_MIGRATED = '''import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    """Learned per-feature scale."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=[self.units], initializer="ones")

    def call(self, x):
        return x * self.w
'''
GOOD_BYTES = GOOD.encode()
GOOD_MIGRATED_BYTES = GOOD_MIGRATED.encode()


# Test-only rules for files that change on disk while they are migrated ---------------

_RULE_DOC = """
## What it does
Test rule of the reliability matrix.

## Why is this bad?
## Example
## Use instead
## Fix safety
## When it refuses
## References
"""


class EditOnDisk(Rule):
    __doc__ = _RULE_DOC
    CODE = "MTF905"
    NAME = "edit-on-disk"
    SUMMARY = "Someone saves the file while it is being migrated."
    TRIGGERS = ("EDITED_DURING_THE_RUN",)
    REQUIRED_MODULES = ()

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "EDITED_DURING_THE_RUN":
            Path(self.context.filename).write_bytes(EDITED_BYTES)


class DeleteOnDisk(Rule):
    __doc__ = _RULE_DOC
    CODE = "MTF906"
    NAME = "delete-on-disk"
    SUMMARY = "Someone deletes the file while it is being migrated."
    TRIGGERS = ("DELETED_DURING_THE_RUN",)
    REQUIRED_MODULES = ()

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "DELETED_DURING_THE_RUN" and os.path.exists(self.context.filename):
            os.unlink(self.context.filename)


EDITED_BYTES = b"# saved by an editor while migrate-tf was running\n"
for _rule in (EditOnDisk, DeleteOnDisk):
    _rule.check_definition()


# Faults ------------------------------------------------------------------------------

Patch = Callable[[object, str, object], None]


def _fd_path(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def install_fault(name: str | None, patch: Patch) -> None:
    """Install fault ``name`` with ``patch(object, attribute, value)`` (setattr, or
    pytest's monkeypatch.setattr)."""
    if name is None:
        return
    import builtins

    import migrate_tf.engine.discovery as discovery
    import migrate_tf.rules as registry

    if name == "unreadable-directory":
        # Root reads a 0o000 directory anyway: refuse it as the kernel would refuse
        # anyone else.
        real_scandir = os.scandir

        def scandir(path="."):
            if os.path.basename(os.fspath(path)) == "locked":
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
            return real_scandir(path)

        patch(os, "scandir", scandir)
    elif name == "unreadable-file":
        real_open = builtins.open

        def open_(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and os.path.basename(file) == "secret.py":
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), file)
            return real_open(file, *args, **kwargs)

        patch(builtins, "open", open_)
    elif name == "deleted-before-reading":
        real_discover = discovery.discover

        def discover(*args, **kwargs):
            found = real_discover(*args, **kwargs)
            for path in found.files:
                if os.path.basename(path) == "vanishing.py":
                    os.unlink(path)
            return found

        patch(discovery, "discover", discover)
    elif name == "on-disk-rules":
        real_all_rules = registry.all_rules
        rules = (*real_all_rules(), EditOnDisk, DeleteOnDisk)
        patch(registry, "all_rules", lambda: rules)
    elif name == "disk-full":
        # ENOSPC for temporaries written in a directory called "full".
        real_write = os.write

        def write(fd, data):
            path = _fd_path(fd)
            if f"{os.sep}full{os.sep}{TEMP_PREFIX}" in path:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write(fd, data)

        patch(os, "write", write)
    elif name == "rename-not-permitted":
        # EPERM on the final rename, as for an immutable file (chattr +i).
        real_replace = os.replace

        def replace(source, destination, **kwargs):
            if os.path.basename(os.fspath(destination)) == "immutable.py":
                raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))
            return real_replace(source, destination, **kwargs)

        patch(os, "replace", replace)
    else:
        raise ValueError(f"unknown fault {name!r}")


# Cases ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Expect:
    """What one entry point must do.

    ``message`` is a regular expression one stderr line must match in full (None: no
    error line at all). ``after`` maps paths (relative to the base directory) to the
    bytes they must have afterwards (None: must not exist); files not named must be
    byte-identical. ``stdout`` is the exact output of the stdin action (None: not
    checked). ``diff_of`` lists files whose diff ``diff`` must print.
    """

    exit_code: int
    message: str | None = None
    after: dict[str, bytes | None] = dataclasses.field(default_factory=dict)
    stdout: bytes | None = None
    diff_of: tuple[str, ...] = ()
    #: stdout goes to /dev/full (a real ENOSPC on stdout; always a subprocess)
    stdout_full: bool = False
    #: Why the entry point does not apply, shown in the matrix instead of a result.
    not_applicable: str | None = None
    #: A product bug that makes this cell fail today (pytest: a strict xfail; the
    #: matrix still counts the cell as not handled, and names the bug).
    known_bug: str | None = None


@dataclasses.dataclass
class Case:
    name: str
    description: str
    build: Callable[[Path], None]
    expect: dict[str, Expect]
    fault: str | None = None
    #: the paths given to apply/diff (default: the project)
    targets: tuple[str, ...] = ("proj",)
    #: the stdin action: input bytes, and the --stdin-filename
    stdin: bytes = b""
    stdin_filename: str = "proj/bad.py"
    extra_args: tuple[str, ...] = ()
    #: permission bits set (relative path -> mode) once the project is built and its
    #: "before" snapshot taken, and put back before the "after" snapshot; a case with
    #: modes always runs in a subprocess that the kernel holds to those bits
    modes: dict[str, int] = dataclasses.field(default_factory=dict)


def _write(base: Path, relative: str, data: bytes) -> Path:
    path = base / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


#: Files to migrate next to every bad input: one sorted before it, one after it (so
#: that the run is seen to go on past the bad file).
COMPANIONS = ("proj/good.py", "proj/zz_last.py")


def _project(base: Path, files: dict[str, bytes]) -> None:
    for companion in COMPANIONS:
        _write(base, companion, GOOD_BYTES)
    for relative, data in files.items():
        _write(base, relative, data)


GOOD_AFTER = {companion: GOOD_MIGRATED_BYTES for companion in COMPANIONS}


def _content_case(
    name: str,
    description: str,
    data: bytes,
    *,
    error: str | None,
    migrated: bytes | None = None,
    file: str = "proj/bad.py",
) -> Case:
    """A bad file next to good.py: the same bytes go through apply, diff and stdin.

    ``error`` is the error text after ``path: error: `` (a regex); None means the
    file is handled without error (migrated to ``migrated``, or left as it is).
    """
    failed = error is not None
    display = file
    message = None if error is None else rf"{re.escape(display)}: error: {error}"
    apply_after = dict(GOOD_AFTER)
    if migrated is not None:
        apply_after[file] = migrated
    return Case(
        name=name,
        description=description,
        build=lambda base: _project(base, {file: data}),
        stdin=data,
        stdin_filename=file,
        expect={
            "apply": Expect(1 if failed else 0, message, apply_after),
            "diff": Expect(
                1 if failed else 0,
                message,
                diff_of=COMPANIONS + ((file,) if migrated is not None else ()),
            ),
            "stdin": Expect(
                1 if failed else 0,
                message,
                stdout=migrated if migrated is not None else data,
            ),
        },
    )


def _mixed_line_endings(text: str) -> bytes:
    lines = text.splitlines(keepends=True)
    return "".join(
        line.replace("\n", "\r\n") if index % 2 else line for index, line in enumerate(lines)
    ).encode()


# The mixed file's migration: new lines take the first line's ending ("\n"), the
# lines that stay keep theirs.
MIXED_MIGRATED = (
    b'import tensorflow as tf\n\r\n\nclass Scale(tf.keras.layers.Layer):\r\n'
    b'    """Learned per-feature scale."""\n\r\n'
    b"    def __init__(self, units, **kwargs):\n"
    b"        super().__init__(**kwargs)\r\n"
    b"        self.units = units\n\n"
    b"    def build(self, input_shape):\n"
    b'        self.w = self.add_weight(name="w", shape=[self.units], initializer="ones")\r\n\n'
    b"    def call(self, x):\r\n"
    b"        return x * self.w\n"
)
LATIN1_HEADER = b"# -*- coding: latin-1 -*-\n# Gr\xfc\xdfe aus K\xf6ln\n"


@functools.lru_cache(maxsize=None)
def generated_file(size: int = 5_000_000) -> bytes:
    """A generated module of ``size`` bytes: a layer to migrate, then data blobs."""
    blocks = [GOOD_BYTES, b"\n\n# Generated by embed_resources.py. DO NOT EDIT.\n"]
    total = sum(map(len, blocks))
    index = 0
    while total < size:
        lines = b"".join(
            b'    b"' + (b"\\x%02x" % ((index + row) % 256)) * 240 + b'"\n' for row in range(5)
        )
        block = b"RESOURCE_%05d = (\n%s)\n" % (index, lines)
        blocks.append(block)
        total += len(block)
        index += 1
    return b"".join(blocks)


def _generated_migrated(data: bytes) -> bytes:
    return data.replace(GOOD_BYTES, GOOD_MIGRATED_BYTES, 1)


DEEP_PARENTHESES = GOOD_BYTES + b"\nv = tf.Variable(" + b"(" * 5000 + b"1" + b")" * 5000 + b")\n"
# CPython's own parser overflows on this (MemoryError or RecursionError, no line).
DEEP_UNARY = GOOD_BYTES + b"\nv = tf.Variable(" + b"-" * 100_000 + b"1)\n"
DEEP_AND_CHAIN = GOOD_BYTES + b"\nv = tf.Variable(" + b" and ".join([b"a"] * 20000) + b")\n"
PY2_PRINT = GOOD_BYTES + b'\nprint "scale ready"\n'
PY2_EXCEPT = GOOD_BYTES + b"\ntry:\n    import foo\nexcept ImportError, error:\n    foo = None\n"
BINARY = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 24 + b"tf.Variable\x00\xff\xfe\x00"
# The pre-filter leaves a file that names neither tensorflow nor keras before decoding
# it (nothing in it is TF code): such a binary file is left alone without an error.
# One that names them is decoded, and refused.
BINARY_NAMING_TF = BINARY + b"import tensorflow as tf\x00keras\x00"


@functools.lru_cache(maxsize=None)
def _content_cases() -> tuple[Case, ...]:
    return tuple(_make_content_cases())


def content_cases() -> list[Case]:
    return list(_content_cases())


def _make_content_cases() -> list[Case]:
    python2 = r" \(this looks like Python 2 code; migrate it to Python 3 first\)"
    return [
        _content_case(
            "syntax-error",
            "syntax error",
            b"import tensorflow as tf\nv = tf.Variable(\n",
            error=r"cannot parse: line 2, column 16: '\(' was never closed",
        ),
        _content_case(
            "python2-print",
            'Python 2: print "x"',
            PY2_PRINT,
            error=r"cannot parse: line 15, column 1: Missing parentheses in call to 'print'\. "
            r"Did you mean print\(\.\.\.\)\?" + python2,
        ),
        _content_case(
            "python2-except",
            "Python 2: except E, e",
            PY2_EXCEPT,
            error=r"cannot parse: line 17, column 8: multiple exception types must be "
            r"parenthesized" + python2,
        ),
        _content_case(
            "utf8-bom",
            "UTF-8 BOM",
            b"\xef\xbb\xbf" + GOOD_BYTES,
            error=None,
            migrated=b"\xef\xbb\xbf" + GOOD_MIGRATED_BYTES,
        ),
        _content_case(
            "crlf",
            "CRLF line endings",
            GOOD.replace("\n", "\r\n").encode(),
            error=None,
            migrated=GOOD_MIGRATED.replace("\n", "\r\n").encode(),
        ),
        _content_case(
            "mixed-line-endings",
            "mixed LF/CRLF line endings",
            _mixed_line_endings(GOOD),
            error=None,
            migrated=MIXED_MIGRATED,
        ),
        _content_case(
            "tabs",
            "tab indentation",
            GOOD.replace("    ", "\t").encode(),
            error=None,
            migrated=GOOD_MIGRATED.replace("    ", "\t").encode(),
        ),
        _content_case(
            "latin1-coding-line",
            "latin-1 file with a coding line",
            LATIN1_HEADER + GOOD_BYTES,
            error=None,
            migrated=LATIN1_HEADER + GOOD_MIGRATED_BYTES,
        ),
        _content_case(
            "invalid-bytes",
            "bytes invalid in the declared encoding",
            b"# -*- coding: utf-8 -*-\n# caf\xe9\n" + GOOD_BYTES,
            error=r"cannot decode: line 2: bytes that are not valid utf-8 "
            r"\(invalid continuation byte\)",
        ),
        _content_case(
            "unknown-encoding",
            "coding line naming an unknown encoding",
            b"# -*- coding: klingon -*-\n" + GOOD_BYTES,
            error=r"cannot decode: unknown encoding: klingon",
        ),
        _content_case("empty", "empty file", b"", error=None),
        _content_case(
            "binary",
            "binary file named .py, naming tensorflow",
            BINARY_NAMING_TF,
            error=r"cannot decode: not a text file \(contains NUL bytes\)",
        ),
        _content_case(
            "binary-without-tf-names",
            "binary file named .py, no tensorflow/keras",
            BINARY,
            error=None,
        ),
        _content_case(
            "generated-5mb",
            "5 MB generated file",
            generated_file(),
            error=None,
            migrated=_generated_migrated(generated_file()),
        ),
        _content_case(
            "deep-parentheses",
            "5,000 nested parentheses",
            DEEP_PARENTHESES,
            error=r"cannot parse: line 15, column \d+: too many nested parentheses",
        ),
        _content_case(
            "deep-unary",
            "100,000 nested unary minus (overflows CPython's parser)",
            DEEP_UNARY,
            error=r"cannot parse: the code is nested too deeply for the parser",
        ),
        _content_case(
            "deep-and-chain",
            "20,000-operand `and` chain (libcst nests it)",
            DEEP_AND_CHAIN,
            error=r"cannot parse: line 15: the code is nested too deeply \(more than 500 levels\)",
        ),
    ]


def _no_file_written(reason: str = "the stdin action writes no file") -> Expect:
    return Expect(0, not_applicable=reason)


PARALLEL_MORE = tuple(f"proj/more/good_{index:02}.py" for index in range(18))
PARALLEL_AFTER = {**GOOD_AFTER, **{path: GOOD_MIGRATED_BYTES for path in PARALLEL_MORE}}


def _parallel_project(base: Path, source: bytes) -> None:
    """bad.py among 20 files to migrate: enough for ``-j 2`` to use two workers."""
    _project(base, {"proj/bad.py": source, **{path: GOOD_BYTES for path in PARALLEL_MORE}})


def file_system_cases() -> list[Case]:
    def symlink_loop(base: Path) -> None:
        _project(base, {})
        (base / "proj" / "loop_a").symlink_to("loop_b")
        (base / "proj" / "loop_b").symlink_to("loop_a")
        (base / "proj" / "self.py").symlink_to("self.py")
        (base / "proj" / "pkg").mkdir()
        (base / "proj" / "pkg" / "up").symlink_to("..", target_is_directory=True)

    def outside_link(base: Path) -> None:
        _project(base, {"outside/model.py": GOOD_BYTES})
        (base / "proj" / "model.py").symlink_to(Path("..") / "outside" / "model.py")
        (base / "proj" / "lib").symlink_to(Path("..") / "outside", target_is_directory=True)

    def read_only(base: Path) -> None:
        _project(base, {"proj/frozen.py": GOOD_BYTES})
        (base / "proj" / "frozen.py").chmod(0o444)

    def locked_directory(base: Path) -> None:
        _project(base, {"proj/locked/hidden.py": GOOD_BYTES})

    def secret(base: Path) -> None:
        _project(base, {"proj/secret.py": GOOD_BYTES})

    def vanishing(base: Path) -> None:
        _project(base, {"proj/vanishing.py": GOOD_BYTES})

    edited_source = GOOD_BYTES + b"\nEDITED_DURING_THE_RUN = 1\n"
    deleted_source = GOOD_BYTES + b"\nDELETED_DURING_THE_RUN = 1\n"
    stdin_ok = Expect(0, None, stdout=GOOD_MIGRATED_BYTES)

    return [
        Case(
            "symlink-loop",
            "symlink loops in the tree",
            symlink_loop,
            expect={
                "apply": Expect(0, None, dict(GOOD_AFTER)),
                "diff": Expect(0, None, diff_of=COMPANIONS),
                "stdin": stdin_ok,
            },
            stdin=GOOD_BYTES,
            stdin_filename="proj/self.py",
        ),
        Case(
            "symlink-loop-named",
            "symlink loop named on the command line",
            symlink_loop,
            targets=("proj/self.py", "proj/good.py"),
            expect={
                "apply": Expect(2, r"proj/self\.py: error: Too many levels of symbolic links"),
                "diff": Expect(2, r"proj/self\.py: error: Too many levels of symbolic links"),
                "stdin": stdin_ok,
            },
            stdin=GOOD_BYTES,
            stdin_filename="proj/self.py",
        ),
        Case(
            "symlink-outside-root",
            "symlinks to a file and a directory outside the root",
            outside_link,
            expect={
                "apply": Expect(0, None, dict(GOOD_AFTER)),
                "diff": Expect(0, None, diff_of=COMPANIONS),
                "stdin": stdin_ok,
            },
            stdin=GOOD_BYTES,
            stdin_filename="proj/model.py",
        ),
        Case(
            "read-only-file",
            "read-only file",
            read_only,
            expect={
                "apply": Expect(
                    1, r"proj/frozen\.py: error: cannot write: the file is read-only", dict(GOOD_AFTER)
                ),
                "diff": Expect(0, None, diff_of=(*COMPANIONS, "proj/frozen.py")),
                "stdin": stdin_ok,
            },
            stdin=GOOD_BYTES,
            stdin_filename="proj/frozen.py",
        ),
        Case(
            "unreadable-directory",
            "unreadable directory (EACCES injected: we are root)",
            locked_directory,
            fault="unreadable-directory",
            expect={
                "apply": Expect(
                    1, r"proj/locked: error: cannot read directory: Permission denied", dict(GOOD_AFTER)
                ),
                "diff": Expect(
                    1,
                    r"proj/locked: error: cannot read directory: Permission denied",
                    diff_of=COMPANIONS,
                ),
                "stdin": stdin_ok,
            },
            stdin=GOOD_BYTES,
            stdin_filename="proj/locked/hidden.py",
        ),
        Case(
            "unreadable-file",
            "unreadable file (EACCES injected: we are root)",
            secret,
            fault="unreadable-file",
            expect={
                "apply": Expect(
                    1, r"proj/secret\.py: error: cannot read: Permission denied", dict(GOOD_AFTER)
                ),
                "diff": Expect(
                    1, r"proj/secret\.py: error: cannot read: Permission denied", diff_of=COMPANIONS
                ),
                "stdin": stdin_ok,
            },
            stdin=GOOD_BYTES,
            stdin_filename="proj/secret.py",
        ),
        Case(
            "deleted-before-reading",
            "file deleted between discovery and reading",
            vanishing,
            fault="deleted-before-reading",
            expect={
                "apply": Expect(
                    1,
                    r"proj/vanishing\.py: error: cannot read: No such file or directory",
                    {**GOOD_AFTER, "proj/vanishing.py": None},
                ),
                "diff": Expect(
                    1,
                    r"proj/vanishing\.py: error: cannot read: No such file or directory",
                    {"proj/vanishing.py": None},
                    diff_of=COMPANIONS,
                ),
                "stdin": _no_file_written("the stdin action reads no file"),
            },
        ),
        Case(
            "deleted-before-writing",
            "file deleted between reading and writing",
            lambda base: _project(base, {"proj/bad.py": deleted_source}),
            fault="on-disk-rules",
            expect={
                "apply": Expect(
                    1,
                    r"proj/bad\.py: error: cannot read before writing: No such file or directory",
                    {**GOOD_AFTER, "proj/bad.py": None},
                ),
                # A dry run shows what it read; the file is gone afterwards all the same.
                "diff": Expect(0, None, {"proj/bad.py": None}, diff_of=(*COMPANIONS, "proj/bad.py")),
                "stdin": _no_file_written(),
            },
        ),
        Case(
            "changed-before-writing",
            "file changed between reading and writing",
            lambda base: _project(base, {"proj/bad.py": edited_source}),
            fault="on-disk-rules",
            expect={
                "apply": Expect(
                    1,
                    r"proj/bad\.py: error: changed on disk during the run; not overwritten",
                    {**GOOD_AFTER, "proj/bad.py": EDITED_BYTES},
                ),
                "diff": Expect(
                    0, None, {"proj/bad.py": EDITED_BYTES}, diff_of=(*COMPANIONS, "proj/bad.py")
                ),
                "stdin": _no_file_written(),
            },
        ),
        *(
            Case(
                f"{kind}-before-writing-parallel",
                f"file {kind} between reading and writing, 21 files, 2 workers",
                functools.partial(_parallel_project, source=source),
                fault="on-disk-rules",
                extra_args=("-j", "2"),
                expect={
                    "apply": Expect(1, message, {**PARALLEL_AFTER, "proj/bad.py": on_disk}),
                    "diff": Expect(
                        0, None, {"proj/bad.py": on_disk}, diff_of=(*COMPANIONS, "proj/bad.py")
                    ),
                    "stdin": _no_file_written("the stdin action takes one buffer"),
                },
            )
            for kind, source, on_disk, message in (
                ("changed", edited_source, EDITED_BYTES,
                 r"proj/bad\.py: error: changed on disk during the run; not overwritten"),
                ("deleted", deleted_source, None,
                 r"proj/bad\.py: error: cannot read before writing: No such file or directory"),
            )
        ),
        Case(
            "disk-full",
            "full disk (ENOSPC on write; stdout: /dev/full)",
            lambda base: _project(base, {"proj/full/bad.py": GOOD_BYTES}),
            fault="disk-full",
            stdin=GOOD_BYTES,
            stdin_filename="proj/full/bad.py",
            expect={
                "apply": Expect(
                    1, r"proj/full/bad\.py: error: cannot write: No space left on device", dict(GOOD_AFTER)
                ),
                "diff": Expect(
                    1, r"migrate-tf: error: cannot write to stdout: No space left on device", stdout_full=True
                ),
                "stdin": Expect(
                    1, r"migrate-tf: error: cannot write to stdout: No space left on device", stdout_full=True
                ),
            },
        ),
        Case(
            "rename-not-permitted",
            "permission error on write (EPERM on rename)",
            lambda base: _project(base, {"proj/immutable.py": GOOD_BYTES}),
            fault="rename-not-permitted",
            expect={
                "apply": Expect(
                    1, r"proj/immutable\.py: error: cannot write: Operation not permitted", dict(GOOD_AFTER)
                ),
                "diff": Expect(0, None, diff_of=(*COMPANIONS, "proj/immutable.py")),
                "stdin": _no_file_written(),
            },
        ),
        # The kernel's own refusals (see the module docstring: root runs these without
        # the capabilities that let it ignore permission bits).
        Case(
            "unreadable-directory-mode-000",
            "unreadable directory (chmod 000, refused by the kernel)",
            locked_directory,
            modes={"proj/locked": 0o000},
            expect={
                "apply": Expect(
                    1, r"proj/locked: error: cannot read directory: Permission denied", dict(GOOD_AFTER)
                ),
                "diff": Expect(
                    1,
                    r"proj/locked: error: cannot read directory: Permission denied",
                    diff_of=COMPANIONS,
                ),
                "stdin": Expect(0, None, stdout=GOOD_MIGRATED_BYTES),
            },
            stdin=GOOD_BYTES,
            stdin_filename="proj/locked/hidden.py",
        ),
        Case(
            "unreadable-file-mode-000",
            "unreadable file (chmod 000, refused by the kernel)",
            secret,
            modes={"proj/secret.py": 0o000},
            expect={
                "apply": Expect(
                    1, r"proj/secret\.py: error: cannot read: Permission denied", dict(GOOD_AFTER)
                ),
                "diff": Expect(
                    1, r"proj/secret\.py: error: cannot read: Permission denied", diff_of=COMPANIONS
                ),
                "stdin": stdin_ok,
            },
            stdin=GOOD_BYTES,
            stdin_filename="proj/secret.py",
        ),
        Case(
            "read-only-directory",
            "permission error on write (directory chmod 555, EACCES from the kernel)",
            lambda base: _project(base, {"proj/ro/model.py": GOOD_BYTES}),
            modes={"proj/ro": 0o555},
            expect={
                "apply": Expect(
                    1, r"proj/ro/model\.py: error: cannot write: Permission denied", dict(GOOD_AFTER)
                ),
                "diff": Expect(0, None, diff_of=(*COMPANIONS, "proj/ro/model.py")),
                "stdin": stdin_ok,
            },
            stdin=GOOD_BYTES,
            stdin_filename="proj/ro/model.py",
        ),
    ]


def all_in_one_case() -> Case:
    """Every content input in one tree of 30 files, with two worker processes."""
    contents = content_cases()

    def build(base: Path) -> None:
        _project(base, {f"proj/bad_{case.name}.py": case.stdin for case in contents})
        for index in range(14):
            _write(base, f"proj/more/good_{index:02}.py", GOOD_BYTES)

    after = dict(GOOD_AFTER)
    after.update({f"proj/more/good_{index:02}.py": GOOD_MIGRATED_BYTES for index in range(14)})
    for case in contents:
        migrated = case.expect["apply"].after.get(case.stdin_filename)
        if migrated is not None:
            after[f"proj/bad_{case.name}.py"] = migrated
    return Case(
        "all-at-once-parallel",
        "all content inputs in one 30-file tree, 2 workers",
        build,
        extra_args=("-j", "2"),
        expect={
            "apply": Expect(1, r"proj/bad_deep-and-chain\.py: error: cannot parse: .*", after),
            "diff": Expect(1, r"proj/bad_deep-and-chain\.py: error: cannot parse: .*"),
            "stdin": _no_file_written("the stdin action takes one buffer"),
        },
    )


def cases() -> list[Case]:
    return [*content_cases(), *file_system_cases(), all_in_one_case()]


# Running a cell ---------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    exit_code: int
    stdout: bytes
    stderr: str


def command_line(case: Case, entry: str) -> list[str]:
    if entry == "stdin":
        return ["apply", "-", "--stdin-filename", case.stdin_filename]
    command = "apply" if entry == "apply" else "diff"
    return [command, "--no-progress", *case.extra_args, *case.targets]


LAUNCHER = (
    "import sys\n"
    "sys.path.insert(0, {tests!r})\n"
    "import reliability_cases\n"
    "reliability_cases.install_fault({fault!r}, setattr)\n"
    "from migrate_tf.cli import main\n"
    "main(sys.argv[1:], prog_name='migrate-tf')\n"
)


# Permission bits the kernel enforces, also on root ---------------------------------------

PR_CAPBSET_DROP = 24
#: CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: what lets root ignore permission bits.
DAC_CAPABILITIES = (1, 2)
DROP_LAUNCHER = (
    "import ctypes, os, sys\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    f"for capability in {DAC_CAPABILITIES!r}:\n"
    f"    if libc.prctl({PR_CAPBSET_DROP}, capability, 0, 0, 0) != 0:\n"
    "        sys.exit('cannot drop capability %d: %s' % (capability, os.strerror(ctypes.get_errno())))\n"
    "# exec: root's capabilities are recomputed from the bounding set\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


def held_to_permissions(argv: list[str]) -> list[str]:
    """``argv`` for a process that permission bits apply to (as root, without the
    capabilities that bypass them; as anyone else, unchanged)."""
    if os.geteuid() != 0:
        return argv
    return [sys.executable, "-c", DROP_LAUNCHER, *argv]


@functools.lru_cache(maxsize=None)
def permissions_enforced() -> str | None:
    """None when :func:`held_to_permissions` works here, else why not."""
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        locked = os.path.join(directory, "locked")
        os.mkdir(locked)
        os.chmod(locked, 0o000)
        try:
            probe = subprocess.run(
                held_to_permissions([sys.executable, "-c", f"import os; os.listdir({locked!r})"]),
                capture_output=True, text=True, timeout=60, check=False,
            )
        finally:
            os.chmod(locked, 0o700)
    if probe.returncode == 0:
        return "permission bits are not enforced on this process (root without a way to drop CAP_DAC_OVERRIDE)"
    if "PermissionError" not in probe.stderr:
        return f"the permission probe failed: {probe.stderr.strip().splitlines()[-1:]}"
    return None


def lock(case: Case, base: Path) -> None:
    """Set the case's permission bits (after the "before" snapshot)."""
    # Deepest first, so that locking a directory does not stop us reaching its files.
    for relative in sorted(case.modes, key=lambda path: -path.count("/")):
        os.chmod(base / relative, case.modes[relative])


def unlock(case: Case, base: Path) -> None:
    """Give the case's paths back ordinary bits, so that they can be read and removed."""
    for relative in sorted(case.modes, key=lambda path: path.count("/")):
        path = base / relative
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.pop("NO_COLOR", None)
    env["LC_ALL"] = env["LANG"] = "C.UTF-8"
    return env


def run_subprocess(case: Case, entry: str, base: Path, timeout: float = 300) -> Outcome:
    """The real command line: ``python -m migrate_tf``, or the launcher with a fault."""
    expect = case.expect[entry]
    args = command_line(case, entry)
    if case.fault is None:
        argv = [sys.executable, "-m", "migrate_tf", *args]
    else:
        code = LAUNCHER.format(tests=str(TESTS_DIR), fault=case.fault)
        argv = [sys.executable, "-c", code, *args]
    if case.modes:
        argv = held_to_permissions(argv)
    stdin = case.stdin if entry == "stdin" else b""
    stdout_file = open(os.devnull if not expect.stdout_full else "/dev/full", "wb")
    with stdout_file:
        process = subprocess.run(
            argv,
            cwd=base,
            env=subprocess_env(),
            input=stdin,
            stdout=subprocess.PIPE if not expect.stdout_full else stdout_file,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
    return Outcome(process.returncode, process.stdout or b"", process.stderr.decode("utf-8", "replace"))


# Checking a cell ----------------------------------------------------------------------------


def snapshot(base: Path) -> dict[str, bytes | str]:
    """Every entry under ``base``: file bytes, or "-> target" for a symlink."""
    found: dict[str, bytes | str] = {}
    for directory, directories, files in os.walk(base):
        for name in directories + files:
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, base).replace(os.sep, "/")
            if os.path.islink(path):
                found[relative] = "-> " + os.readlink(path)
            elif os.path.isfile(path):
                with open(path, "rb") as handle:
                    found[relative] = handle.read()
    return found


@dataclasses.dataclass
class Verdict:
    problems: list[str]
    unexpected: int = 0  # files changed unexpectedly
    lost: int = 0  # files lost or truncated
    message: str = ""  # the error line found (or the first stderr line)

    @property
    def handled(self) -> bool:
        return not self.problems


def check(
    case: Case, entry: str, before: dict[str, bytes | str], after: dict[str, bytes | str],
    outcome: Outcome,
) -> Verdict:
    expect = case.expect[entry]
    problems: list[str] = []
    unexpected = lost = 0
    wanted = {} if entry == "stdin" else dict(expect.after)
    for relative, original in before.items():
        if relative in wanted:
            target = wanted[relative]
            current = after.get(relative)
            if target is None:
                if current is not None:
                    problems.append(f"{relative} should not exist")
                continue
            if current != target:
                if current is None:
                    lost += 1
                    problems.append(f"{relative} was lost")
                elif isinstance(current, bytes) and (
                    _is_prefix(current, target) or _is_prefix(current, original)
                ):
                    lost += 1
                    problems.append(f"{relative} is truncated")
                elif current == original:
                    problems.append(f"{relative} was not processed")
                else:
                    unexpected += 1
                    problems.append(f"{relative} changed unexpectedly")
            continue
        current = after.get(relative)
        if current is None:
            lost += 1
            problems.append(f"{relative} was lost")
        elif current != original:
            if isinstance(current, bytes) and isinstance(original, bytes) and _is_prefix(current, original):
                lost += 1
                problems.append(f"{relative} is truncated")
            else:
                unexpected += 1
                problems.append(f"{relative} changed unexpectedly")
    for relative in after:
        if relative not in before:
            name = relative.rsplit("/", 1)[-1]
            unexpected += 1
            kind = "stray temporary file" if name.startswith(TEMP_PREFIX) else "new file"
            problems.append(f"{kind} {relative}")

    if outcome.exit_code != expect.exit_code:
        problems.append(f"exit code {outcome.exit_code}, expected {expect.exit_code}")
    lines = outcome.stderr.splitlines()
    if "Traceback" in outcome.stderr or "Fatal Python error" in outcome.stderr:
        problems.append("a traceback on stderr")
    error_lines = [line for line in lines if ": error: " in line or line.startswith("migrate-tf: error")]
    message = ""
    if expect.message is not None:
        matching = [line for line in lines if re.fullmatch(expect.message, line)]
        if not matching:
            problems.append(f"no stderr line matches {expect.message!r}: {lines[:6]}")
        else:
            message = matching[0]
        others = [line for line in error_lines if line not in matching]
        if others and not case.name.startswith("all-at-once"):
            problems.append(f"other error lines: {others[:3]}")
    elif error_lines:
        problems.append(f"unexpected error lines: {error_lines[:3]}")
    if not message:
        message = error_lines[0] if error_lines else (lines[-1] if lines else "")
    if entry == "stdin" and expect.stdout is not None and outcome.stdout != expect.stdout:
        if _is_prefix(outcome.stdout, expect.stdout):
            problems.append("stdout is truncated")
        else:
            problems.append("stdout is not the expected source")
    if entry == "diff":
        text = outcome.stdout.decode("utf-8", "replace")
        for relative in expect.diff_of:
            if f"+++ b/{relative}\n" not in text:
                problems.append(f"no diff for {relative}")
    if entry == "apply" and case.name.startswith("all-at-once"):
        failed = len([line for line in error_lines if ": error: " in line])
        should_fail = sum(
            1 for content in content_cases() if content.expect["apply"].exit_code != 0
        )
        if failed != should_fail:
            problems.append(f"{failed} files failed, expected {should_fail}")
    return Verdict(problems, unexpected, lost, message)


def _is_prefix(current: bytes | str, full: bytes | str) -> bool:
    return (
        isinstance(current, bytes)
        and isinstance(full, bytes)
        and len(current) < len(full)
        and full.startswith(current)
    )


def line_endings_kept(original: bytes, output: bytes) -> bool:
    """Every line the migration kept has its original line ending."""
    source = original.splitlines(keepends=True)
    result = output.splitlines(keepends=True)
    strip = [line.rstrip(b"\r\n") for line in source]
    matcher = difflib.SequenceMatcher(None, strip, [line.rstrip(b"\r\n") for line in result])
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        if tag == "equal" and source[i1:i2] != result[j1 : j1 + (i2 - i1)]:
            return False
    return True


# Faults mid-run: a signal during a real apply over a generated tree -------------------

KERAS2_TEMPLATE = '''import tensorflow as tf


class Scale{index}(tf.keras.layers.Layer):
    """Generated layer {index}."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = tf.Variable(tf.ones([{size}]), name="w")
        self.b = tf.Variable(tf.zeros([{size}]), name="b")

    def call(self, x):
        return x * self.w + self.b
'''
TF1_TEMPLATE = '''import tensorflow as tf


def dense_{index}(x, units={size}, scope="dense_{index}"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1].value, units], initializer=tf.zeros_initializer())
        b = tf.get_variable("b", [units], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b
'''
TREE_FILES = 520
SIGNALS = ("sigint-group", "sigint-parent", "sigkill")


def generate_tree(root: Path, count: int = TREE_FILES) -> dict[str, tuple[bytes, bytes]]:
    """``count`` modules (Keras 2 layers for MTF201, every fifth a TF1 function for
    MTF101) under ``root``: relative path -> (original, expected migration), the
    migration computed in this process."""
    from migrate_tf.config import Settings
    from migrate_tf.engine.pipeline import migrate_bytes
    from migrate_tf.rules import all_rules

    rules = all_rules()
    expected = {}
    for index in range(count):
        template = TF1_TEMPLATE if index % 5 == 0 else KERAS2_TEMPLATE
        data = template.format(index=index, size=index % 13 + 1).encode()
        relative = f"pkg{index // 100}/mod_{index:03}.py"
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        migrated = migrate_bytes(data, rules=rules, settings=Settings(), filename=str(path))
        if not migrated.changed:
            raise AssertionError(f"{relative} does not migrate: {migrated.error}")
        expected[relative] = (data, migrated.output)
    return expected


def tree_state(root: Path, expected: dict[str, tuple[bytes, bytes]]) -> tuple[int, int, list[str]]:
    """(files with their original bytes, files with their migration, the others)."""
    original = migrated = 0
    neither = []
    for relative, (before, after) in expected.items():
        try:
            data = (root / relative).read_bytes()
        except OSError:
            neither.append(relative)
            continue
        if data == before:
            original += 1
        elif data == after:
            migrated += 1
        else:
            neither.append(relative)
    return original, migrated, neither


def temporaries_under(root: Path) -> list[str]:
    return [
        os.path.join(directory, name)
        for directory, _, names in os.walk(root)
        for name in names
        if name.startswith(TEMP_PREFIX)
    ]


@dataclasses.dataclass
class SignalRun:
    how: str
    exit_code: int
    stderr: str
    written_before_signal: int
    original: int
    migrated: int
    neither: list[str]
    temporaries: list[str]
    group_gone: bool
    second_exit_code: int
    second_stderr: str
    second_original: int
    second_migrated: int
    second_neither: list[str]
    second_temporaries: list[str]


def _apply_command(root: Path) -> list[str]:
    return [sys.executable, "-m", "migrate_tf", "apply", "--no-progress", "-j", "2", str(root)]


def _group_gone(pgid: int, timeout: float = 10) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def signal_during_apply(
    root: Path, expected: dict[str, tuple[bytes, bytes]], how: str, *, at_least: int = 10
) -> SignalRun:
    """Start ``apply -j 2`` over ``root`` in its own process group; once ``at_least``
    files were written, send SIGINT to the group (a terminal's Ctrl-C) or to the
    parent only (``kill -INT``), or SIGKILL to the group; then run apply again."""
    import signal
    import time

    paths = [root / relative for relative in expected]
    mtimes = {path: path.stat().st_mtime_ns for path in paths}
    process = subprocess.Popen(
        _apply_command(root), env=subprocess_env(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    written = 0
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            written = 0
            for path in paths:
                try:
                    written += path.stat().st_mtime_ns != mtimes[path]
                except OSError:
                    pass
            if written >= at_least:
                break
            time.sleep(0.02)
        if process.poll() is None:
            if how == "sigint-group":
                os.killpg(process.pid, signal.SIGINT)
            elif how == "sigint-parent":
                process.send_signal(signal.SIGINT)
            elif how == "sigkill":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                raise ValueError(how)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    gone = _group_gone(process.pid)
    original, migrated, neither = tree_state(root, expected)
    temporaries = temporaries_under(root)
    second = subprocess.run(
        _apply_command(root), env=subprocess_env(), capture_output=True, text=True, timeout=600
    )
    second_original, second_migrated, second_neither = tree_state(root, expected)
    return SignalRun(
        how, process.returncode, stderr, written, original, migrated, neither, temporaries,
        gone, second.returncode, second.stderr, second_original, second_migrated,
        second_neither, temporaries_under(root),
    )


INTERRUPT_SUMMARY = re.compile(
    r"migrate-tf: interrupted after (\d+) of (\d+) files; (\d+) files? written, each "
    r"complete; the other (\d+) files? untouched \(run apply again to finish\)"
)


def signal_problems(run: SignalRun, total: int) -> list[str]:
    """What is wrong with a signal run (empty when it went as issue 8 requires)."""
    import signal

    problems = []
    if run.written_before_signal < 1 or run.original == 0:
        problems.append(
            f"the signal did not land mid-run ({run.written_before_signal} written before it, "
            f"{run.original} untouched after)"
        )
    if run.neither:
        problems.append(f"{len(run.neither)} files are neither original nor migrated")
    if not run.group_gone:
        problems.append("a worker process outlived the run")
    if "Traceback" in run.stderr:
        problems.append("a traceback on stderr")
    if run.how == "sigkill":
        if run.exit_code != -signal.SIGKILL:
            problems.append(f"exit code {run.exit_code}")
    else:
        if run.exit_code != 130:
            problems.append(f"exit code {run.exit_code}, expected 130")
        if run.temporaries:
            problems.append(f"temporaries left: {run.temporaries[:2]}")
        match = INTERRUPT_SUMMARY.search(run.stderr)
        if not match:
            problems.append("no 'interrupted after' summary")
        else:
            done, of, written, left = map(int, match.groups())
            if (of, written, done + left) != (total, run.migrated, total):
                problems.append(f"summary says {written} written of {of}; {run.migrated} were")
            if f"{done} files scanned: {written} changed, 0 unchanged, 0 failed" not in run.stderr:
                problems.append("no per-file summary of the files done")
    if run.second_exit_code != 0:
        problems.append(f"second apply exited {run.second_exit_code}")
    if (run.second_original, run.second_migrated, run.second_neither) != (0, total, []):
        problems.append(
            f"second apply left {run.second_original} original, {len(run.second_neither)} broken"
        )
    if run.second_temporaries:
        problems.append(f"temporaries after the second apply: {run.second_temporaries[:2]}")
    return problems


# SIGKILL in the middle of writing one file (deterministic) -----------------------------

KILL_WHILE_WRITING = (
    "import os, signal, sys\n"
    "sys.path.insert(0, {tests!r})\n"
    "import reliability_cases\n"
    "real_write = os.write\n"
    "def write(fd, data):\n"
    "    if reliability_cases.TEMP_PREFIX in reliability_cases._fd_path(fd):\n"
    "        # half of the migrated bytes reach the temporary, then the run dies\n"
    "        real_write(fd, bytes(data[: len(data) // 2]))\n"
    "        os.kill(os.getpid(), signal.SIGKILL)\n"
    "    return real_write(fd, data)\n"
    "os.write = write\n"
    "from migrate_tf.cli import main\n"
    "main(sys.argv[1:], prog_name='migrate-tf')\n"
)


@dataclasses.dataclass
class KillWhileWriting:
    exit_code: int
    state: tuple[int, int, list[str]]  # tree_state after the kill
    temporaries: list[str]
    temporary_is_partial: bool  # a strict prefix of the file's migration
    dry_run_exit_code: int
    dry_run_output: str
    temporaries_after_dry_run: list[str]
    second_exit_code: int
    second_stderr: str
    second_state: tuple[int, int, list[str]]
    second_temporaries: list[str]


def kill_while_writing(root: Path, expected: dict[str, tuple[bytes, bytes]]) -> KillWhileWriting:
    """``apply -j 1`` over ``root`` (files written in order) is SIGKILLed after half of
    the first file's migration went into its temporary; then ``diff`` and ``apply``."""
    argv = [sys.executable, "-c", KILL_WHILE_WRITING.format(tests=str(TESTS_DIR)),
            "apply", "--no-progress", "-j", "1", str(root)]
    killed = subprocess.run(argv, env=subprocess_env(), capture_output=True, timeout=300, check=False)
    state = tree_state(root, expected)
    temporaries = temporaries_under(root)
    first = min(expected)
    partial = len(temporaries) == 1 and _is_prefix(
        Path(temporaries[0]).read_bytes(), expected[first][1]
    ) and os.path.dirname(temporaries[0]) == str((root / first).parent)
    dry = subprocess.run(
        [sys.executable, "-m", "migrate_tf", "diff", "--no-progress", str(root)],
        env=subprocess_env(), capture_output=True, text=True, timeout=300, check=False,
    )
    after_dry = temporaries_under(root)
    second = subprocess.run(
        _apply_command(root), env=subprocess_env(), capture_output=True, text=True, timeout=600,
        check=False,
    )
    return KillWhileWriting(
        killed.returncode, state, temporaries, partial, dry.returncode,
        dry.stdout + dry.stderr, after_dry, second.returncode, second.stderr,
        tree_state(root, expected), temporaries_under(root),
    )


def kill_while_writing_problems(run: KillWhileWriting, total: int) -> list[str]:
    import signal

    problems = []
    if run.exit_code != -signal.SIGKILL:
        problems.append(f"exit code {run.exit_code}, expected -9 (the kill did not happen)")
    if run.state != (total, 0, []):
        problems.append(f"after the kill: {run.state[1]} migrated, {len(run.state[2])} broken")
    if not run.temporary_is_partial:
        problems.append(f"expected one half-written temporary, found {run.temporaries}")
    if run.dry_run_exit_code != 0 or TEMP_PREFIX in run.dry_run_output:
        problems.append(f"diff took the temporary for an input or failed ({run.dry_run_exit_code})")
    if f"{total} files scanned: {total} would change" not in run.dry_run_output:
        problems.append("diff did not scan exactly the source files")
    if run.temporaries_after_dry_run != run.temporaries:
        problems.append("a dry run removed or added temporaries")
    if run.second_exit_code != 0 or "Traceback" in run.second_stderr:
        problems.append(f"second apply exited {run.second_exit_code}")
    if run.second_state != (0, total, []):
        problems.append(f"second apply left {run.second_state[0]} original, {len(run.second_state[2])} broken")
    if run.second_temporaries:
        problems.append(f"temporaries after the second apply: {run.second_temporaries}")
    return problems


# A real full disk: a tiny tmpfs in a private mount namespace ------------------------------

DISK_FULL_SCRIPT = '''
import base64, json, os, subprocess, sys
sys.path.insert(0, {tests!r})
import reliability_cases as matrix
base = sys.argv[1]
full = os.path.join(base, "proj", "full")
matrix._project(matrix.Path(base), {{}})
os.makedirs(full)
# Two pages: the file to migrate takes one, the filler the other; nothing is left.
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", full], check=True)
with open(os.path.join(full, "model.py"), "wb") as handle:
    handle.write(matrix.GOOD_BYTES)
try:
    with open(os.path.join(full, "filler.bin"), "wb") as handle:
        while True:
            handle.write(b"\\0" * 512)
            handle.flush()
except OSError:
    pass
statvfs = os.statvfs(full)
before = matrix.snapshot(matrix.Path(base))
process = subprocess.run(
    [sys.executable, "-m", "migrate_tf", "apply", "--no-progress", "proj"],
    cwd=base, env=matrix.subprocess_env(), capture_output=True,
)
after = matrix.snapshot(matrix.Path(base))
encode = lambda files: {{k: base64.b64encode(v).decode() for k, v in files.items()}}
print(json.dumps({{
    "free": statvfs.f_bavail * statvfs.f_frsize,
    "before": encode(before), "after": encode(after), "exit": process.returncode,
    "stdout": base64.b64encode(process.stdout).decode(), "stderr": process.stderr.decode(),
}}))
'''

DISK_FULL_CASE = Case(
    "real-disk-full",
    "full disk (a real 8 KB tmpfs, no space left)",
    lambda base: None,
    expect={
        "apply": Expect(
            1, r"proj/full/model\.py: error: cannot write: No space left on device", dict(GOOD_AFTER)
        ),
        "diff": Expect(0, not_applicable="diff writes to stdout: see the /dev/full row"),
        "stdin": Expect(0, not_applicable="the stdin action writes to stdout: see the /dev/full row"),
    },
)


@dataclasses.dataclass
class DiskFullRun:
    free_bytes: int
    before: dict[str, bytes]
    after: dict[str, bytes]
    outcome: Outcome


def real_disk_full(base: Path) -> DiskFullRun | str:
    """``apply`` over a project whose ``proj/full`` is a full tmpfs, all inside a
    private mount namespace (``unshare -m``): the run, or why it cannot be done here."""
    import base64
    import json
    import shutil

    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return "needs unshare(1) and mount(8)"
    base.mkdir(parents=True, exist_ok=True)
    process = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", sys.executable, "-c",
         DISK_FULL_SCRIPT.format(tests=str(TESTS_DIR)), str(base)],
        capture_output=True, text=True, timeout=300, env=subprocess_env(), check=False,
    )
    if process.returncode != 0:
        return f"cannot mount a tmpfs here: {process.stderr.strip().splitlines()[-1:]}"
    data = json.loads(process.stdout)

    def decode(files: dict[str, str]) -> dict[str, bytes]:
        return {name: base64.b64decode(value) for name, value in files.items()}

    return DiskFullRun(
        data["free"], decode(data["before"]), decode(data["after"]),
        Outcome(data["exit"], base64.b64decode(data["stdout"]), data["stderr"]),
    )
