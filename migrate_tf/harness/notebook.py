"""``verify`` and ``apply --verify`` for Jupyter notebooks.

A notebook is migrated in memory as ``apply`` would (:mod:`migrate_tf.engine.notebook`:
its code cells as one module). The old and the new code cells are then written, as
modules, to the run's temporary directory, with every IPython magic line (and the
markers between cells) replaced by ``pass`` so that each line keeps its number; the
workers import them as they import a ``.py`` file (by path, with the notebook's
directory on ``sys.path``, as a kernel started there would have it), and the cases
are looked up from the notebook's directory. Importing runs the notebook's top-level
code, as importing a ``.py`` file runs its own.

``apply --verify`` writes the migrated notebook (the JSON, as ``apply`` writes it)
only when its conversions pass.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

from migrate_tf.config import Settings
from migrate_tf.harness.plan import Unit
from migrate_tf.harness.verify import Migrated, Workspace


@dataclasses.dataclass
class NotebookMigrated(Migrated):
    """A notebook migrated in memory. ``output`` is the new notebook (what apply
    writes); ``source``/``old_module`` and ``new_module`` are the old and new code
    cells as modules that run."""

    old_module: str = ""
    new_module: str = ""


def migrate_notebook_file(
    path: str,
    *,
    rules,
    settings: Settings,
    suppress: Sequence[tuple[str, int]] = (),
    data: bytes | None = None,
) -> Migrated:
    """:func:`migrate_tf.harness.verify.migrate_file` for a notebook."""
    from migrate_tf.engine.notebook import migrate_notebook_text

    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            return Migrated(path, b"", None, error=f"cannot read: {error.strerror or error}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return Migrated(path, data, None, error=f"cannot decode: a notebook must be UTF-8 ({error.reason})")
    result = migrate_notebook_text(
        text, rules=rules, settings=settings, filename=path, suppress=suppress
    )
    notebook = result.notebook
    old_module = notebook.runnable(notebook.module) if notebook is not None else ""
    if result.error is not None:
        return Migrated(path, data, None, source=old_module, error=result.error)
    if not result.changed or notebook is None or result.new_module is None:
        return NotebookMigrated(path, data, None, source=old_module, old_module=old_module)
    return NotebookMigrated(
        path,
        data,
        result.output.encode("utf-8", "surrogatepass"),
        source=old_module,
        conversions=list(result.conversions),
        applied=tuple(result.applied),
        old_module=old_module,
        new_module=notebook.runnable(result.new_module),
    )


def module_name(path: Path) -> str:
    """A module name for a notebook's code: its stem, made an identifier."""
    name = re.sub(r"\W", "_", path.stem) or "notebook"
    return name if not name[0].isdigit() else f"_{name}"


def notebook_unit(migrated: Migrated, workspace: Workspace, project_dir: Path | None) -> Unit | None:
    """:func:`migrate_tf.harness.verify.unit_of` for a notebook."""
    if migrated.output is None or not migrated.conversions:
        return None
    if not isinstance(migrated, NotebookMigrated):
        return None
    notebook = Path(migrated.path)
    file_name = Path(module_name(notebook) + ".py")
    old_module = workspace.new_file(file_name, migrated.old_module.encode("utf-8", "surrogatepass"))
    new_module = workspace.new_file(file_name, migrated.new_module.encode("utf-8", "surrogatepass"))
    return Unit(
        display=migrated.path,
        old_path=notebook,
        new_path=new_module,
        old_source=migrated.source,
        conversions=migrated.conversions,
        project_dir=project_dir,
        old_module=old_module,
    )


PAIR_REFUSED = (
    "verify OLD NEW compares .py files; for a notebook run 'migrate-tf verify {path}': "
    "it migrates the notebook in memory and runs its old and new code cells"
)


__all__ = ["PAIR_REFUSED", "NotebookMigrated", "migrate_notebook_file", "module_name", "notebook_unit"]
