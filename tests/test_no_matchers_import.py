"""No part of migrate-tf imports `libcst.matchers`.

Importing `libcst.matchers` costs 0.25-0.6 s of start-up (it generates thousands of
dataclasses), which the editor action `migrate-tf apply - < file` cannot afford. The
first tests check what each rule module imports *itself* (so a failure names the
module); the last one runs a whole migration and checks that nothing loaded it.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

MODULES = (
    "migrate_tf.rules.mtf202_nested_module",
    "migrate_tf.rules.mtf203_lambda_variables",
    "migrate_tf.rules.mtf204_manual_weight_tracking",
    "migrate_tf.rules.mtf205_variable_collections",
    "migrate_tf.rules.mtf206_variables_in_call",
    "migrate_tf.rules.mtf207_positional_add_weight",
)


def _source_of(module: str) -> tuple[Path, ast.Module]:
    path = Path(importlib.util.find_spec(module).origin)
    return path, ast.parse(path.read_text(), filename=str(path))


def _is_matchers(module: str) -> bool:
    return module == "libcst.matchers" or module.startswith("libcst.matchers.")


def _matchers_uses(tree: ast.Module) -> list[str]:
    """Every import of `libcst.matchers` (at any depth, in functions too) and every
    `<something>.matchers` attribute read, as `line: code`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            hits = [alias.name for alias in node.names if _is_matchers(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if _is_matchers(module):
                hits = [module]
            elif module == "libcst":
                hits = [f"libcst.{a.name}" for a in node.names if a.name == "matchers"]
            else:
                hits = []
        elif isinstance(node, ast.Attribute) and node.attr == "matchers":
            hits = [ast.unparse(node)]
        elif isinstance(node, ast.Constant) and node.value == "libcst.matchers":
            hits = ["'libcst.matchers' (importlib.import_module?)"]
        else:
            hits = []
        found.extend(f"{node.lineno}: {hit}" for hit in hits)
    return found


@pytest.mark.parametrize("module", MODULES)
def test_rule_source_has_no_libcst_matchers_import(module):
    path, tree = _source_of(module)
    assert _matchers_uses(tree) == [], f"{path} uses libcst.matchers"


#: Run in a fresh interpreter: record which modules execute an import statement for
#: `libcst.matchers` (`import libcst.matchers`, `from libcst import matchers`, `from
#: libcst.matchers import ...`) while the rule module is imported. Every execution is
#: seen, also when the module is already in `sys.modules` (imported earlier by a
#: dependency), because the hook is `builtins.__import__`, which import statements call.
_PROBE = """
import builtins, json, sys

importers = set()
original = builtins.__import__

def spy(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and (
        name == "libcst.matchers"
        or name.startswith("libcst.matchers.")
        or (name == "libcst" and fromlist and "matchers" in fromlist)
    ):
        importers.add((globals or {}).get("__name__"))
    return original(name, globals, locals, fromlist, level)

builtins.__import__ = spy
import importlib
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(str(name) for name in importers)))
"""


@pytest.mark.parametrize("module", MODULES)
def test_importing_rule_module_runs_no_libcst_matchers_import_of_its_own(module):
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, module],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    importers = json.loads(done.stdout.strip().splitlines()[-1])
    # Dependencies may still import it (see the module docstring); the rule may not.
    assert module not in importers, f"{module} imports libcst.matchers"


def test_a_whole_migration_with_every_rule_never_loads_libcst_matchers():
    golden = Path(__file__).resolve().parent.parent / "golden"
    sources = sorted(golden.glob("*/*/before.py"))
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from migrate_tf.cli import main\n"
        "from migrate_tf.config import Settings\n"
        "from migrate_tf.engine.pipeline import migrate_source\n"
        "from migrate_tf.rules import all_rules\n"
        "changed = 0\n"
        "for path in sys.argv[1:]:\n"
        "    source = Path(path).read_text()\n"
        "    result = migrate_source(source, rules=all_rules(), settings=Settings())\n"
        "    changed += result.output != source\n"
        "print(changed, 'libcst.matchers' in sys.modules)\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", program, *map(str, sources)],
        capture_output=True, text=True, timeout=300,
    )
    assert process.returncode == 0, process.stderr
    changed, loaded = process.stdout.split()
    assert int(changed) > 100  # the rules really ran
    assert loaded == "False"
