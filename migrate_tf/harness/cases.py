"""Cases: the arguments ``migrate-tf verify`` calls the old and the new code with.

A cases file is ``migrate-tf.cases.toml`` (the nearest one at or above the verified
file) or the ``[tool.migrate-tf.cases]`` table of the project's ``pyproject.toml``
(used for names the cases file does not have). ``verify --cases FILE`` names one
explicitly. Each table is named after a converted function or layer class *as the
old code names it*; its keys are that function's (or class's) parameters::

    [dense]                          # def dense(x, units, scope="dense", stddev=0.02)
    x = "float32[4, 64]"             # a tensor: dtype[shape], fixed values
    units = 32                       # anything else is passed as it is
    scope = "fc1"                    # the scope parameter becomes the layer's name

    [FrameNormalization]             # a layer class: __init__ and call arguments
    channels = 40
    frames = "float32[2, 98, 40]"

    ["speech_model/blocks.py:conv_block"]   # only the conv_block of that file
    x = "float32[2, 16, 8]"
    filters = 8

    [[gate]]                         # an array of tables: several cases, one row each
    x = "float32[2, 4]"
    [[gate]]
    x = "float32[3, 4, 4]"

Values: strings of the form ``dtype[d0, d1, ...]`` are tensors (numpy dtype names;
``"float32[]"`` is a scalar), with standard normal values (integers 0..3 for integer
dtypes) drawn from ``numpy.random.RandomState(k)`` for call ``k``; inline tables
(``hparams = { hidden = 64, rate = 0.1 }``) become objects with both attribute and
item access (``hparams.hidden``, ``hparams["hidden"]``); integers, floats, booleans,
other strings and lists are passed unchanged. Parameters not given keep their
defaults; training flags (``training``, ``is_training``) are False (inference) unless
given. What cannot be inferred (see :mod:`migrate_tf.harness.inference`) must be given.

A qualified name (``"path.py:name"``, the path relative to the cases file's directory,
or just the file's name) wins over a plain one.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path
from typing import Any, Iterable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on 3.10
    import tomli as tomllib

CASES_FILE = "migrate-tf.cases.toml"

#: numpy dtype names a tensor spec may use.
TENSOR_DTYPES = (
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
)
TENSOR_SPEC = re.compile(
    r"^\s*(?P<dtype>" + "|".join(TENSOR_DTYPES) + r")\s*\[\s*(?P<dims>[0-9,\s]*)\]\s*$"
)
#: Parameters that select training behaviour: False (inference) unless a case says.
TRAINING_FLAGS = ("training", "is_training")


class CasesError(ValueError):
    """A cases file that cannot be read or has a bad value (a usage error, exit 2)."""


# Values ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TensorSpec:
    dtype: str
    shape: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.dtype}[{', '.join(str(d) for d in self.shape)}]"

    def to_json(self) -> dict:
        return {"__tensor__": str(self)}


def parse_tensor_spec(text: Any) -> TensorSpec | None:
    """``"float32[2, 4]"`` -> TensorSpec; None when ``text`` is not a tensor spec."""
    if not isinstance(text, str):
        return None
    match = TENSOR_SPEC.match(text)
    if not match:
        return None
    dims = tuple(int(d) for d in match.group("dims").replace(" ", "").split(",") if d)
    return TensorSpec(match.group("dtype"), dims)


def encode_value(value: Any) -> Any:
    """A case value as it travels to the workers (JSON): tensors and hparams tagged."""
    spec = value if isinstance(value, TensorSpec) else parse_tensor_spec(value)
    if spec is not None:
        return spec.to_json()
    if isinstance(value, dict):
        return {"__hparams__": {key: _plain(item) for key, item in value.items()}}
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def toml_value(value: Any) -> str:
    """``value`` written as TOML (for the 'line to add' hints)."""
    if isinstance(value, TensorSpec):
        return f'"{value}"'
    if value is ...:
        return "..."
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return repr(value)


def _check_value(where: str, key: str, value: Any) -> None:
    if isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, list):
        for item in value:
            _check_value(where, key, item)
        return
    if isinstance(value, dict):
        for inner_key, item in value.items():
            _check_value(where, f"{key}.{inner_key}", item)
        return
    raise CasesError(f"{where}: `{key}` has a value of type {type(value).__name__}, "
                     "which cannot be passed to code (use numbers, strings, lists, tables)")


# Cases files -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    """The arguments of one case of one function or class, by parameter name."""

    values: dict[str, Any]
    #: where it was written, for messages: "path/migrate-tf.cases.toml [dense]"
    source: str
    #: 1-based number when the name has several cases, else 0
    number: int = 0


@dataclasses.dataclass
class CasesTable:
    """The cases of one file (or pyproject table): name -> list of cases."""

    path: Path | None  # the file they came from (None: built in code)
    base: Path | None  # the directory qualified names are relative to
    entries: dict[str, list[Case]] = dataclasses.field(default_factory=dict)

    def lookup(self, name: str, file: Path | None) -> list[Case] | None:
        """The cases for ``name`` in ``file``: qualified entries first, then plain."""
        if file is not None:
            resolved = file.resolve()
            for key, cases in self.entries.items():
                if ":" not in key:
                    continue
                where, _, qualified_name = key.rpartition(":")
                if qualified_name != name:
                    continue
                if _same_file(where, resolved, self.base):
                    return cases
        return self.entries.get(name)


def _same_file(where: str, file: Path, base: Path | None) -> bool:
    where_path = Path(where)
    if base is not None and (base / where_path).resolve() == file:
        return True
    # "blocks.py:conv_block" or "speech_model/blocks.py:conv_block" matched by suffix
    parts = where_path.parts
    return len(parts) <= len(file.parts) and tuple(file.parts[-len(parts):]) == parts


def cases_from_mapping(data: dict, *, where: str, path: Path | None, base: Path | None) -> CasesTable:
    """Check and convert a parsed cases table (``{name: {param: value}}``)."""
    table = CasesTable(path=path, base=base)
    if not isinstance(data, dict):
        raise CasesError(f"{where}: must be a table of cases")
    for name, body in data.items():
        label = f"{where} [{name}]"
        simple_name = name.rpartition(":")[2]
        if not simple_name.isidentifier():
            raise CasesError(
                f"{label}: a case is named after a function or class "
                "(`name` or `\"path/file.py:name\"`)"
            )
        bodies = body if isinstance(body, list) else [body]
        cases = []
        for number, values in enumerate(bodies, start=1):
            if not isinstance(values, dict):
                raise CasesError(f"{label}: must be a table of parameter = value")
            for key, value in values.items():
                if not key.isidentifier():
                    raise CasesError(f"{label}: `{key}` is not a parameter name")
                _check_value(label, key, value)
            cases.append(
                Case(values=dict(values), source=label, number=number if len(bodies) > 1 else 0)
            )
        table.entries[name] = cases
    return table


def read_cases_file(path: Path) -> CasesTable:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CasesError(f"{path}: error: cannot read the cases file: {error}") from None
    return cases_from_mapping(data, where=str(path), path=path, base=path.parent)


def read_pyproject_cases(pyproject: Path) -> CasesTable | None:
    """``[tool.migrate-tf.cases]`` of ``pyproject``, or None when it has none."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CasesError(f"{pyproject}: error: cannot read configuration: {error}") from None
    table = data.get("tool", {}).get("migrate-tf", {}).get("cases")
    if table is None:
        return None
    return cases_from_mapping(
        table, where=f"{pyproject} [tool.migrate-tf.cases]", path=pyproject, base=pyproject.parent
    )


class CasesFinder:
    """Finds the cases of a file: ``--cases FILE`` alone when given; else the nearest
    ``migrate-tf.cases.toml`` at or above the file, then the ``[tool.migrate-tf.cases]``
    of the nearest ``pyproject.toml`` above it, then that of the configured project."""

    def __init__(self, explicit: Path | None = None, pyproject: Path | None = None) -> None:
        self.explicit = read_cases_file(explicit) if explicit is not None else None
        self.configured = read_pyproject_cases(pyproject) if pyproject is not None else None
        self._cases_files: dict[Path, CasesTable | None] = {}
        self._pyprojects: dict[Path, tuple[Path | None, CasesTable | None]] = {}

    def tables_for(self, file: Path) -> list[CasesTable]:
        if self.explicit is not None:
            return [self.explicit]
        directory = file.resolve().parent
        tables = []
        nearest = self._nearest_cases_file(directory)
        if nearest is not None:
            tables.append(nearest)
        _, project = self._nearest_pyproject(directory)
        if project is not None:
            tables.append(project)
        if self.configured is not None and all(t.path != self.configured.path for t in tables):
            tables.append(self.configured)
        return tables

    def lookup(self, name: str, file: Path) -> list[Case] | None:
        for table in self.tables_for(file):
            found = table.lookup(name, file)
            if found is not None:
                return found
        return None

    def suggestion_file(self, file: Path) -> Path:
        """Where a user should add a missing case for ``file``: the cases file in use,
        else a new one beside the project's pyproject.toml (or the file)."""
        if self.explicit is not None and self.explicit.path is not None:
            return self.explicit.path
        directory = file.resolve().parent
        nearest = self._nearest_cases_file(directory)
        if nearest is not None and nearest.path is not None:
            return nearest.path
        pyproject, _ = self._nearest_pyproject(directory)
        if pyproject is not None:
            return pyproject.parent / CASES_FILE
        return directory / CASES_FILE

    def _nearest_cases_file(self, directory: Path) -> CasesTable | None:
        if directory in self._cases_files:
            return self._cases_files[directory]
        candidate = directory / CASES_FILE
        if candidate.is_file():
            found = read_cases_file(candidate)
        elif directory.parent == directory:
            found = None
        else:
            found = self._nearest_cases_file(directory.parent)
        self._cases_files[directory] = found
        return found

    def _nearest_pyproject(self, directory: Path) -> tuple[Path | None, CasesTable | None]:
        if directory in self._pyprojects:
            return self._pyprojects[directory]
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            found = (candidate, read_pyproject_cases(candidate))
        elif directory.parent == directory:
            found = (None, None)
        else:
            found = self._nearest_pyproject(directory.parent)
        self._pyprojects[directory] = found
        return found


def suggestion_lines(name: str, values: Iterable[tuple[str, Any, str]]) -> list[str]:
    """The lines to add for a missing case: ``[name]`` then ``param = value  # why``."""
    lines = [f"[{name}]"]
    for key, value, why in values:
        text = f"{key} = {toml_value(value)}"
        lines.append(f"{text:<28}# {why}" if why else text)
    return lines


__all__ = [
    "CASES_FILE",
    "Case",
    "CasesError",
    "CasesFinder",
    "CasesTable",
    "TRAINING_FLAGS",
    "TensorSpec",
    "cases_from_mapping",
    "encode_value",
    "parse_tensor_spec",
    "read_cases_file",
    "read_pyproject_cases",
    "suggestion_lines",
    "toml_value",
]
