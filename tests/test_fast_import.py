"""migrate_tf._fast_import: LibCST imported with cached dataclass code is the same LibCST.

Each import runs in a fresh interpreter (LibCST is already imported in this one), with
the cache in a temporary directory: never the user's.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrate_tf import _fast_import

REPO_ROOT = Path(__file__).resolve().parent.parent

# Prints what the classes LibCST defines are and do, and what the cache did.
PROGRAM = r'''
import copy, dataclasses, hashlib, json, marshal, sys
from migrate_tf import _fast_import

cache = _fast_import.import_libcst()
import libcst as cst

GENERATED = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")
classes = {}
for name, module in sorted(sys.modules.items()):
    if not (name == "libcst" or name.startswith("libcst.")):
        continue
    for value in list(vars(module).values()):
        if not (isinstance(value, type) and dataclasses.is_dataclass(value)):
            continue
        methods = {}
        for method in GENERATED:
            function = value.__dict__.get(method)
            if function is None or not hasattr(function, "__code__"):
                continue
            methods[method] = [
                hashlib.sha256(marshal.dumps(function.__code__)).hexdigest(),
                function.__code__.co_filename,
                repr(function.__annotations__),
                repr((function.__defaults__, function.__kwdefaults__)),
                function.__globals__ is vars(sys.modules[value.__module__]),
            ]
        classes[f"{value.__module__}.{value.__qualname__}"] = methods

name = cst.Name("x")
try:
    name.value = "y"
    frozen = "assignment allowed"
except dataclasses.FrozenInstanceError:
    frozen = "FrozenInstanceError"
try:
    cst.Name()
    missing = "no error"
except TypeError as error:
    missing = str(error)
source = (
    "import tensorflow as tf\n"
    "@decorator(a, *b, **c)\n"
    "class Layer(tf.keras.layers.Layer):\n"
    "    def call(self, x: int = 1, /, *args, y=2, **kwargs) -> None:\n"
    "        with tf.variable_scope('s'):\n"
    "            v = [i async for i in x] if x else {k: v for k, v in y}\n"
    "        return lambda z: (z, *x)  # comment\n"
)
module = cst.parse_module(source)
changed = name.with_changes(value="y")
# Nodes compare by identity (deep_equals compares structure); positions are plain
# frozen dataclasses with a generated __eq__ and __hash__.
from libcst.metadata import CodePosition, CodeRange
start, end = CodePosition(1, 2), CodePosition(3, 4)
behaviour = {
    "node_equal": [name == name, cst.Name("x") == cst.Name("x")],
    "deep_equal": [cst.Name("x").deep_equals(cst.Name("x")), name.deep_equals(changed)],
    "position_equal": [CodeRange(start, end) == CodeRange(CodePosition(1, 2), end),
                       start == end],
    "position_hash": hash(CodeRange(start, end)) == hash(CodeRange(CodePosition(1, 2), end)),
    "position_repr": repr(CodeRange(start, end)),
    "repr": repr(cst.Name("x")),
    "defaults": repr(cst.Arg(cst.Name("a")).keyword),
    "missing_argument": missing,
    "frozen": frozen,
    "deepcopy": copy.deepcopy(module).deep_equals(module) and copy.deepcopy(name) is not name,
    "with_changes": [changed.value, name.value, type(changed).__name__],
    "round_trip": module.code == source,
    "codegen": cst.Module(body=[cst.SimpleStatementLine([cst.Expr(cst.Name("a"))])]).code,
}
print(json.dumps({
    "classes": classes,
    "behaviour": behaviour,
    "cache": None if cache is None else {"compiled": cache.compiled, "used": len(cache.used)},
    "exec_left_in_dataclasses": "exec" in vars(dataclasses),
}))
'''


def subprocess_env(cache_dir: Path | str | None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.pop(_fast_import.NO_CACHE_VARIABLE, None)
    env.pop(_fast_import.CACHE_DIR_VARIABLE, None)
    if cache_dir is not None:
        env[_fast_import.CACHE_DIR_VARIABLE] = str(cache_dir)
    env.update(extra)
    return env


def import_in_subprocess(cache_dir: Path | str | None, **extra: str) -> dict:
    process = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        env=subprocess_env(cache_dir, **extra), capture_output=True, text=True, timeout=120,
        cwd=REPO_ROOT,
    )
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout)


@pytest.fixture(scope="module")
def uncached(tmp_path_factory):
    """LibCST imported the ordinary way (the cache turned off)."""
    result = import_in_subprocess(
        tmp_path_factory.mktemp("unused-cache"), **{_fast_import.NO_CACHE_VARIABLE: "1"}
    )
    assert result["cache"] is None
    return result


SUPPORTED = (
    sys.implementation.name == "cpython"
    and sys.version_info[:2] in _fast_import.SUPPORTED_VERSIONS
)
needs_cache = pytest.mark.skipif(not SUPPORTED, reason="the cache is not used on this Python")


def cache_files(directory: Path) -> list[Path]:
    return sorted(directory.iterdir()) if directory.exists() else []


@needs_cache
def test_classes_are_the_same_with_a_cold_and_with_a_warm_cache(tmp_path, uncached):
    cold = import_in_subprocess(tmp_path)
    assert cold["cache"]["compiled"] > 500  # LibCST's dataclasses were really compiled here
    assert cold["cache"]["compiled"] == cold["cache"]["used"]
    assert len(cache_files(tmp_path)) == 1
    warm = import_in_subprocess(tmp_path)
    assert warm["cache"] == {"compiled": 0, "used": cold["cache"]["used"]}

    # Node classes are among those compared: Name's generated __init__, __setattr__ and
    # __delattr__ (frozen), and the __eq__, __hash__, __repr__ CSTNode gives every node.
    name_methods = uncached["classes"]["libcst._nodes.expression.Name"]
    assert set(name_methods) == {"__init__", "__repr__", "__eq__", "__hash__", "__setattr__",
                                 "__delattr__"}
    assert len(uncached["classes"]) > 200
    for result in (cold, warm):
        assert result["classes"] == uncached["classes"]
        assert result["behaviour"] == uncached["behaviour"]
        assert result["exec_left_in_dataclasses"] is False
    assert uncached["behaviour"] == {
        "node_equal": [True, False],
        "deep_equal": [True, False],
        "position_equal": [True, False],
        "position_hash": True,
        "position_repr": "CodeRange(start=CodePosition(line=1, column=2), "
                         "end=CodePosition(line=3, column=4))",
        "repr": repr(__import__("libcst").Name("x")),
        "defaults": "None",
        "missing_argument": "Name.__init__() missing 1 required positional argument: 'value'",
        "frozen": "FrozenInstanceError",
        "deepcopy": True,
        "with_changes": ["y", "x", "Name"],
        "round_trip": True,
        "codegen": "a\n",
    }


def _garbage(data: bytes) -> bytes:
    return b"\x00garbage" * 100


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _one_byte_changed(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1:]


def _empty(data: bytes) -> bytes:
    return b""


def _header_only(data: bytes) -> bytes:
    return data[: len(_fast_import.MAGIC) + 4]


@needs_cache
@pytest.mark.parametrize(
    "damage", [_garbage, _truncated, _one_byte_changed, _empty, _header_only],
    ids=lambda damage: damage.__name__.strip("_"),
)
def test_a_damaged_cache_file_is_ignored_and_replaced(tmp_path, uncached, damage):
    cold = import_in_subprocess(tmp_path)
    (path,) = cache_files(tmp_path)
    good = path.read_bytes()
    path.write_bytes(damage(good))

    repaired = import_in_subprocess(tmp_path)
    assert repaired["cache"]["compiled"] == cold["cache"]["compiled"]
    assert repaired["classes"] == uncached["classes"]
    assert cache_files(tmp_path) == [path]  # replaced in place; no temporary left behind
    assert path.read_bytes() != damage(good)
    assert import_in_subprocess(tmp_path)["cache"]["compiled"] == 0


@needs_cache
def test_a_cache_file_made_for_another_key_is_not_used(tmp_path):
    cold = import_in_subprocess(tmp_path)
    (path,) = cache_files(tmp_path)
    key = _key_of(path)
    stored = _fast_import._load(str(path), key)
    assert len(stored) == cold["cache"]["used"]
    # The same entries, written for another Python or LibCST: the key inside differs.
    _fast_import._store(str(path), "another python\nlibcst=0.0", stored)
    assert _key_of(path) != key
    assert _fast_import._load(str(path), key) == {}

    again = import_in_subprocess(tmp_path)
    assert again["cache"]["compiled"] == cold["cache"]["compiled"]


def _key_of(path: Path) -> str:
    """The key a cache file was written with (read back from its payload)."""
    import marshal

    key, _ = marshal.loads(path.read_bytes()[len(_fast_import.MAGIC) + 4:])
    return key


@needs_cache
def test_a_directory_where_the_cache_file_should_be_is_ignored(tmp_path, uncached):
    import_in_subprocess(tmp_path)
    (path,) = cache_files(tmp_path)
    path.unlink()
    path.mkdir()
    result = import_in_subprocess(tmp_path)
    assert result["cache"]["compiled"] > 500
    assert result["classes"] == uncached["classes"]
    assert path.is_dir() and list(path.iterdir()) == []
    assert cache_files(tmp_path) == [path]  # and no temporary file was left


@needs_cache
def test_a_cache_directory_that_cannot_be_created_is_ignored(tmp_path, uncached):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    for _ in range(2):
        result = import_in_subprocess(blocker / "cache")
        assert result["cache"]["compiled"] > 500
        assert result["classes"] == uncached["classes"]
    assert cache_files(tmp_path) == [blocker]


@needs_cache
@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere"
)
def test_a_read_only_cache_directory_is_ignored(tmp_path, uncached):
    directory = tmp_path / "cache"
    directory.mkdir()
    directory.chmod(0o500)
    try:
        result = import_in_subprocess(directory)
    finally:
        directory.chmod(0o700)
    assert result["cache"]["compiled"] > 500
    assert result["classes"] == uncached["classes"]
    assert cache_files(directory) == []


@pytest.mark.parametrize("value", ["1", "yes"])
def test_the_no_cache_variable_turns_the_cache_off_and_writes_nothing(tmp_path, value):
    directory = tmp_path / "cache"
    result = import_in_subprocess(directory, **{_fast_import.NO_CACHE_VARIABLE: value})
    assert result["cache"] is None
    assert result["exec_left_in_dataclasses"] is False
    assert not directory.exists()


def test_exec_is_taken_away_from_dataclasses_when_the_import_fails(tmp_path):
    # A package named libcst that defines a dataclass and then fails to import.
    fake = tmp_path / "fake" / "libcst"
    fake.mkdir(parents=True)
    (fake / "_version.py").write_text("__version__ = version = '0.0.1'\n")
    (fake / "__init__.py").write_text(
        "import dataclasses, sys\n"
        "@dataclasses.dataclass(frozen=True)\n"
        "class Node:\n"
        "    value: int\n"
        "sys.stdout.write('EXEC DURING IMPORT %s\\n' % ('exec' in vars(dataclasses)))\n"
        "raise RuntimeError('broken libcst')\n"
    )
    program = (
        "import dataclasses, sys\n"
        f"sys.path.insert(0, {str(fake.parent)!r})\n"
        "from migrate_tf import _fast_import\n"
        "try:\n"
        "    _fast_import.import_libcst()\n"
        "except RuntimeError as error:\n"
        "    print('RAISED', error)\n"
        "print('EXEC AFTER', 'exec' in vars(dataclasses))\n"
    )
    cache_dir = tmp_path / "cache"
    process = subprocess.run(
        [sys.executable, "-c", program], env=subprocess_env(cache_dir), capture_output=True,
        text=True, timeout=60, cwd=tmp_path,
    )
    assert process.returncode == 0, process.stderr
    lines = process.stdout.splitlines()
    assert lines == [
        f"EXEC DURING IMPORT {SUPPORTED}",
        "RAISED broken libcst",
        "EXEC AFTER False",
    ]
    assert not cache_dir.exists()  # a failed import saves nothing


def test_nothing_is_done_when_libcst_is_already_imported(tmp_path, monkeypatch):
    import libcst  # noqa: F401

    monkeypatch.setenv(_fast_import.CACHE_DIR_VARIABLE, str(tmp_path / "cache"))
    assert _fast_import.import_libcst() is None
    assert "exec" not in vars(dataclasses)
    assert not (tmp_path / "cache").exists()


@needs_cache
def test_the_cache_serves_only_the_dataclasses_compilations(tmp_path):
    cache = _fast_import.CodeCache(str(tmp_path / "file"), "key")
    namespace: dict = {}
    cache.exec("def f(a):\n return a + 1\n", namespace, namespace)
    cache.exec("def f(a):\n return a + 1\n", namespace, namespace)
    assert namespace["f"](1) == 2
    assert cache.compiled == 1 and len(cache.used) == 1
    # Other calls go to the built-in as they are: a code object, keyword arguments.
    cache.exec(compile("g = 3", "<x>", "exec"), namespace)
    assert namespace["g"] == 3
    assert cache.compiled == 1 and len(cache.used) == 1
    # Without namespaces, exec works in its caller's, as the built-in does.
    cache.exec("global CALLER_GLOBAL\nCALLER_GLOBAL = 5\n")
    assert globals().pop("CALLER_GLOBAL") == 5
    # Without a __future__ import leaking in from this module (it has one):
    # annotations stay evaluated, as they are when dataclasses execs the text itself.
    cache.exec("def h(a: int) -> str:\n return a\n", namespace, namespace)
    assert namespace["h"].__annotations__ == {"a": int, "return": str}


def test_cache_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(_fast_import.CACHE_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _fast_import.cache_directory() == str(tmp_path / "xdg" / "migrate-tf")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _fast_import.cache_directory() == str(tmp_path / "home" / ".cache" / "migrate-tf")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert _fast_import.cache_directory() == str(tmp_path / "home" / ".cache" / "migrate-tf")
    monkeypatch.setenv(_fast_import.CACHE_DIR_VARIABLE, str(tmp_path / "mine"))
    assert _fast_import.cache_directory() == str(tmp_path / "mine")


def test_the_cache_is_not_used_on_other_pythons(monkeypatch):
    monkeypatch.delenv(_fast_import.NO_CACHE_VARIABLE, raising=False)
    monkeypatch.setattr(sys, "version_info", (3, 14, 0, "final", 0))
    assert _fast_import.cache_enabled() is False
    assert _fast_import._open_cache() is None


@needs_cache
def test_the_cache_file_is_named_after_python_and_libcst(monkeypatch, tmp_path):
    from libcst._version import __version__ as libcst_version

    monkeypatch.setenv(_fast_import.CACHE_DIR_VARIABLE, str(tmp_path))
    monkeypatch.delenv(_fast_import.NO_CACHE_VARIABLE, raising=False)
    cache = _fast_import._open_cache()
    name = os.path.basename(cache.path)
    assert name.startswith(f"dataclasses-{sys.implementation.cache_tag}-")
    assert name.endswith(f"-libcst-{libcst_version}.marshal")
    assert sys.version in cache.key and f"libcst={libcst_version}" in cache.key


def test_the_editor_action_fills_the_cache_and_prints_the_same(tmp_path):
    source = (
        "import tensorflow as tf\n"
        "def dense(x):\n"
        "    with tf.variable_scope('dense'):\n"
        "        w = tf.get_variable('w', [4, 4])\n"
        "        return tf.matmul(x, w)\n"
    ).encode()
    cache_dir = tmp_path / "cache"

    def apply_stdin(**extra: str) -> tuple[bytes, bytes]:
        process = subprocess.run(
            [sys.executable, "-m", "migrate_tf", "apply", "-", "--stdin-filename", "m.py"],
            input=source, env=subprocess_env(cache_dir, **extra), capture_output=True,
            timeout=120, cwd=tmp_path,
        )
        assert process.returncode == 0, process.stderr
        return process.stdout, process.stderr

    uncached = apply_stdin(**{_fast_import.NO_CACHE_VARIABLE: "1"})
    assert not cache_dir.exists()
    assert uncached[0] != source  # the migration did run
    cold = apply_stdin()
    assert len(cache_files(cache_dir)) == (1 if SUPPORTED else 0)
    warm = apply_stdin()
    assert uncached == cold == warm


# The garbage collector during start-up ---------------------------------------------

COLLECTOR_PROGRAM = r'''
import gc, sys
from migrate_tf._fast_import import collector_paused, import_libcst

case = sys.argv[1]
if case == "caller-disabled":
    gc.disable()
try:
    with collector_paused():
        print("inside", gc.isenabled())
        import_libcst()
        if case == "raises":
            raise RuntimeError("start-up failed")
except RuntimeError as error:
    print("raised", error)
print("after", gc.isenabled(), "frozen", gc.get_freeze_count() > 10000)
'''


@pytest.mark.parametrize(
    "case, expected",
    [
        ("plain", ["inside False", "after True frozen True"]),
        ("raises", ["inside False", "raised start-up failed", "after True frozen True"]),
        # A program that runs without the collector keeps it off; nothing is frozen.
        ("caller-disabled", ["inside False", "after False frozen False"]),
    ],
)
def test_the_collector_is_paused_for_start_up_then_what_it_made_is_frozen(
    tmp_path, case, expected
):
    process = subprocess.run(
        [sys.executable, "-c", COLLECTOR_PROGRAM, case], env=subprocess_env(tmp_path),
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.splitlines() == expected


def test_the_collector_is_left_alone_once_libcst_is_imported():
    import gc

    import libcst  # noqa: F401

    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    with _fast_import.collector_paused():
        assert gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_the_cli_start_up_runs_with_the_collector_paused(tmp_path):
    program = (
        "import gc, sys\n"
        "from migrate_tf.cli import main\n"
        "code = main(['apply', '-', '--stdin-filename', 'm.py'], standalone_mode=False)\n"
        "sys.stderr.write('EXIT %s ENABLED %s FROZEN %s\\n'\n"
        "                 % (code, gc.isenabled(), gc.get_freeze_count() > 10000))\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", program], input=b"import tensorflow as tf\nv = tf.Variable(1.0)\n",
        env=subprocess_env(tmp_path), capture_output=True, timeout=120, cwd=tmp_path,
    )
    assert process.returncode == 0, process.stderr
    assert b"EXIT 0 ENABLED True FROZEN True" in process.stderr
    assert process.stdout.startswith(b"import tensorflow as tf\n")
