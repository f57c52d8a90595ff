"""Settings: what the user asked for, from ``[tool.migrate-tf]`` and the command line.

Command-line options win over the file. Unknown keys and bad values are configuration
errors (exit code 2), never silently ignored.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

KERAS_IMPORT_STYLES = {
    # style name -> the import statement generated code relies on
    "keras": "import keras",
    "tensorflow": "from tensorflow import keras",
}
CONFIG_KEYS = {"select", "ignore", "exclude", "keras-import", "cases"}


class ConfigError(ValueError):
    """A problem with the configuration file or the options; exit code 2."""


def _toml():
    """The TOML parser, imported when a ``pyproject.toml`` is read (not at start-up)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised only on 3.10
        import tomli as tomllib
    return tomllib


@dataclasses.dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    keras_import: str = "keras"
    annotate: bool = False

    def merged(self, **overrides: Any) -> "Settings":
        """A copy with every override that is not None (or empty) applied."""
        changes = {
            key: value
            for key, value in overrides.items()
            if value is not None and value != () and value != []
        }
        for key in ("select", "ignore", "exclude"):
            if key in changes:
                changes[key] = tuple(changes[key])
        return dataclasses.replace(self, **changes)


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has ``[tool.migrate-tf]``."""
    start = start.resolve()
    try:
        directory = start if start.is_dir() else start.parent
    except OSError:  # inside a directory we may not look into
        directory = start.parent
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        try:
            present = candidate.is_file()
        except OSError:
            # A directory we may not look into holds no configuration we can use.
            continue
        if present:
            tomllib = _toml()
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
                raise ConfigError(f"{candidate}: error: cannot read configuration: {error}")
            if "migrate-tf" in data.get("tool", {}):
                return candidate
    return None


def _string_list(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{path}: error: [tool.migrate-tf] {key} must be a list of strings")
    return tuple(value)


def load_settings(pyproject: Path | None) -> Settings:
    """Settings from ``[tool.migrate-tf]`` of ``pyproject`` (defaults when None)."""
    if pyproject is None:
        return Settings()
    tomllib = _toml()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{pyproject}: error: cannot read configuration: {error}")
    table = data.get("tool", {}).get("migrate-tf", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: error: [tool.migrate-tf] must be a table")
    unknown = sorted(set(table) - CONFIG_KEYS)
    if unknown:
        raise ConfigError(
            f"{pyproject}: error: unknown key(s) in [tool.migrate-tf]: {', '.join(unknown)}"
            f" (known: {', '.join(sorted(CONFIG_KEYS))})"
        )
    settings = Settings()
    for key in ("select", "ignore", "exclude"):
        if key in table:
            settings = dataclasses.replace(
                settings, **{key: _string_list(pyproject, key, table[key])}
            )
    if "keras-import" in table:
        style = table["keras-import"]
        if style not in KERAS_IMPORT_STYLES:
            raise ConfigError(
                f"{pyproject}: error: keras-import must be one of "
                f"{', '.join(repr(s) for s in KERAS_IMPORT_STYLES)}, not {style!r}"
            )
        settings = dataclasses.replace(settings, keras_import=style)
    return settings
