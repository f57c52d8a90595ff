"""A faster start for the command line: LibCST's dataclass code from a cache, and no
garbage collections over what start-up imports.

Importing LibCST defines about 230 frozen dataclasses, and for each one ``dataclasses``
writes the source text of ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` and compiles it with ``exec``: about a thousand
small compilations, a third of the import's time and a good share of the start-up of
``migrate-tf apply -`` (the editor action). :func:`import_libcst` imports LibCST with
those compilations served from a cache: the compiled code of each text, stored with
``marshal`` (as ``.pyc`` files store code) and keyed by the text itself.

What changes while the cache is active is only where the code object comes from:
``dataclasses`` builds the same text and executes it in the same namespaces; the code
object is the one ``exec`` would compile from that text (``compile(text, "<string>",
"exec")``, without the caller's ``__future__`` flags, exactly as ``exec`` compiles it in
``dataclasses``, a module without any). To do this, ``dataclasses`` is given, for the
duration of ``import libcst`` only, a module-level ``exec`` that shadows the built-in one;
it is removed again afterwards, also when the import fails. Nothing of ``dataclasses``
is re-implemented, so a Python whose ``dataclasses`` builds its functions differently
only misses the cache. It is used only on the CPython versions checked to compile
these texts with a plain ``exec(text, globals, locals)`` (3.10 to 3.13).

The cache is a file in the user's cache directory (``$MIGRATE_TF_CACHE_DIR``, else
``$XDG_CACHE_HOME/migrate-tf``, else ``~/.cache/migrate-tf``), one per Python build and
LibCST version. It is written (atomically) only when something had to be compiled, and
holds exactly the texts of the last import. A missing, unreadable, stale or corrupt
file, or a directory that cannot be written, only costs the compilations: never an
error. ``MIGRATE_TF_NO_CACHE=1`` turns the cache off.

:func:`collector_paused` runs the CLI's start-up (LibCST, the engine, the rules) with the
cyclic garbage collector paused, then freezes (``gc.freeze``) what it created. Those 30
thousand objects (modules, classes, functions) live as long as the process; without this,
about 60 collections during the imports walk them and free next to nothing, and so does
the full collection at interpreter exit.
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import marshal
import os
import sys
import zlib
from typing import Iterator

#: Environment variables: the cache directory, and the switch that turns the cache off.
CACHE_DIR_VARIABLE = "MIGRATE_TF_CACHE_DIR"
NO_CACHE_VARIABLE = "MIGRATE_TF_NO_CACHE"
#: The first bytes of a cache file; a new layout gets a new magic.
MAGIC = b"migrate-tf dataclass code cache 1\n"
#: Versions whose ``dataclasses`` compiles generated functions with
#: ``exec(text, globals, locals)`` from a module without ``__future__`` imports.
SUPPORTED_VERSIONS = ((3, 10), (3, 11), (3, 12), (3, 13))


def import_libcst() -> CodeCache | None:
    """``import libcst``, with the dataclass code cache when it can be used.

    Returns the cache that served the import, or None when it was not used: LibCST was
    already imported, the cache is turned off, or this Python is not one it is made for
    (then this is only ``import libcst``).
    """
    if "libcst" in sys.modules:
        return None
    cache = _open_cache()
    if cache is None:
        import libcst  # noqa: F401
        return None
    import dataclasses

    dataclasses.exec = cache.exec  # type: ignore[attr-defined]
    try:
        import libcst  # noqa: F401,F811
    finally:
        del dataclasses.exec  # type: ignore[attr-defined]
    cache.save()
    return cache


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the CLI's start-up, then freeze what it made.

    Only for the first start-up in a process (LibCST not imported yet) and only when the
    collector is running: a program that calls the CLI again, or that manages the
    collector itself, is left alone. The collector runs again afterwards, also when the
    start-up fails; objects made later (a migration's trees) are collected as usual.
    Garbage made during the imports stays (a few dozen objects).
    """
    if "libcst" in sys.modules or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def cache_directory() -> str | None:
    """The directory of the cache file, or None when there is no usable one."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured:
        return os.path.abspath(configured)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "migrate-tf")


def cache_enabled() -> bool:
    """Whether :func:`import_libcst` may use the cache in this interpreter."""
    if os.environ.get(NO_CACHE_VARIABLE, "") not in ("", "0"):
        return False
    if sys.implementation.name != "cpython" or sys.version_info[:2] not in SUPPORTED_VERSIONS:
        return False
    import dataclasses

    # Something else already shadows exec there: leave it alone.
    return "exec" not in vars(dataclasses)


class CodeCache:
    """Compiled code of generated function texts: loaded, used, and saved when it grew."""

    def __init__(self, path: str, key: str) -> None:
        self.path = path
        self.key = key
        self.stored: dict[str, object] = _load(path, key)
        #: The texts executed in this process, with their code (many classes share one).
        self.used: dict[str, object] = {}
        #: How many of them were not in the file.
        self.compiled = 0

    def exec(self, source, globals=None, locals=None, /, **options) -> None:
        """``exec`` for ``dataclasses``: compiled code of a text comes from the cache."""
        if globals is None:  # exec's default namespaces are its caller's, not this frame's
            caller = sys._getframe(1)
            globals = caller.f_globals
            if locals is None:
                locals = caller.f_locals
        if type(source) is not str or options:
            # Not the call this cache is for: the built-in does what it would have done.
            return builtins.exec(source, globals, locals, **options)
        code = self.used.get(source)
        if code is None:
            code = self.stored.get(source)
            if code is None:
                code = compile(source, "<string>", "exec", 0, True)
                self.compiled += 1
            self.used[source] = code
        builtins.exec(code, globals, locals)
        return None

    def save(self) -> None:
        """Write the texts of this import when one of them had to be compiled."""
        if not self.compiled:
            return
        _store(self.path, self.key, self.used)


def _open_cache() -> CodeCache | None:
    if not cache_enabled():
        return None
    directory = cache_directory()
    version = _libcst_version()
    if directory is None or version is None:
        return None
    key = "\n".join(
        (sys.version, sys.implementation.cache_tag or "", f"optimize={sys.flags.optimize}",
         f"libcst={version}")
    )
    name = (
        f"dataclasses-{sys.implementation.cache_tag}-{zlib.crc32(key.encode()):08x}"
        f"-libcst-{version}.marshal"
    )
    return CodeCache(os.path.join(directory, name), key)


def _libcst_version() -> str | None:
    """LibCST's version, read from its ``_version.py`` without importing it (or None)."""
    import importlib.machinery

    try:
        spec = importlib.machinery.PathFinder.find_spec("libcst")
        if spec is None or not spec.submodule_search_locations:
            return None
        path = os.path.join(list(spec.submodule_search_locations)[0], "_version.py")
        with open(path, "rb") as file:
            text = file.read()
    except (OSError, ImportError, ValueError):
        return None
    for line in text.splitlines():
        if line.startswith(b"__version__"):
            version = line.rpartition(b"=")[2].strip().strip(b"'\"")
            if version and all(
                chr(byte).isalnum() or chr(byte) in ".+-_" for byte in version
            ):
                return version.decode("ascii")
    # An unusual version file: its checksum stands for the version.
    return f"x{zlib.crc32(text):08x}"


def _load(path: str, key: str) -> dict[str, object]:
    """The stored texts and code; empty when the file is missing, stale or damaged."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except (OSError, ValueError):
        return {}
    header = len(MAGIC) + 4
    if not data.startswith(MAGIC) or len(data) < header:
        return {}
    checksum = int.from_bytes(data[len(MAGIC):header], "big")
    payload = memoryview(data)[header:]
    if zlib.crc32(payload) != checksum:
        return {}
    try:
        stored_key, entries = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    if stored_key != key or type(entries) is not dict:
        return {}
    code_type = type(_load.__code__)
    if not all(type(text) is str and type(code) is code_type for text, code in entries.items()):
        return {}
    return entries


def _store(path: str, key: str, entries: dict[str, object]) -> None:
    """Write the cache atomically (a temporary file, then a rename); errors are ignored."""
    try:
        payload = marshal.dumps((key, entries))
    except ValueError:
        return
    data = MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload
    directory = os.path.dirname(path)
    temporary = f"{path}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(directory, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except (OSError, ValueError):
        return
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except (OSError, ValueError):
        try:
            os.unlink(temporary)
        except OSError:
            pass
