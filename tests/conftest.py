"""Shared test fixtures: small test-only rules, so engine tests do not depend on real rules.

* MTF901 ``rename-old-name``: renames the name ``OLD_NAME`` to ``NEW_NAME``.
* MTF902 ``report-me``: reports a finding at each name ``REPORT_ME``.
* MTF903 ``crash-me``: raises inside ``visit_Name`` at the name ``CRASH_ME``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import libcst as cst
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# The package is not installed in the virtualenv; make it importable for `pytest`
# run from anywhere (subprocess tests pass the same root through PYTHONPATH).
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from migrate_tf.rules.base import Rule  # noqa: E402

_DOC_HEADINGS = """
    ## What it does
    Test rule.

    ## Why is this bad?
    It is a test.

    ## Example
    ## Use instead
    ## Fix safety
    Test rule.

    ## When it refuses
    Never.

    ## References
    None.
"""


class RenameOldName(Rule):
    __doc__ = _DOC_HEADINGS
    CODE = "MTF901"
    NAME = "rename-old-name"
    SUMMARY = "Rename OLD_NAME to NEW_NAME."
    TRIGGERS = ("OLD_NAME",)
    REQUIRED_MODULES = ()

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if updated_node.value == "OLD_NAME":
            self.changed = True
            return updated_node.with_changes(value="NEW_NAME")
        return updated_node


class ReportMe(Rule):
    __doc__ = _DOC_HEADINGS
    CODE = "MTF902"
    NAME = "report-me"
    SUMMARY = "Report every REPORT_ME | for a person."
    TRIGGERS = ("REPORT_ME",)
    REQUIRED_MODULES = ()

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "REPORT_ME":
            self.report(node, "REPORT_ME needs a person")


class CrashMe(Rule):
    __doc__ = _DOC_HEADINGS
    CODE = "MTF903"
    NAME = "crash-me"
    SUMMARY = "Crash at CRASH_ME."
    TRIGGERS = ("CRASH_ME",)
    REQUIRED_MODULES = ()

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "CRASH_ME":
            raise ValueError("boom")


TEST_RULES = (RenameOldName, ReportMe, CrashMe)
for _rule in TEST_RULES:
    _rule.check_definition()


@pytest.fixture(autouse=True, scope="session")
def _private_cache_directory(tmp_path_factory: pytest.TempPathFactory):
    """The CLI processes the tests start keep their start-up cache (migrate_tf/_fast_import.py)
    in a temporary directory: the suite never writes into the user's cache."""
    variable = "MIGRATE_TF_CACHE_DIR"
    previous = os.environ.get(variable)
    os.environ[variable] = str(tmp_path_factory.mktemp("migrate-tf-cache"))
    yield
    if previous is None:
        os.environ.pop(variable, None)
    else:
        os.environ[variable] = previous


@pytest.fixture
def engine_test_rules() -> tuple[type[Rule], ...]:
    """The three test-only rules, to pass to the engine directly."""
    return TEST_RULES


@pytest.fixture
def registry_with_test_rules(monkeypatch: pytest.MonkeyPatch) -> tuple[type[Rule], ...]:
    """Make the rule registry (and so the CLI) see only the test rules."""
    import migrate_tf.rules as registry

    monkeypatch.setattr(registry, "all_rules", lambda: TEST_RULES)
    return TEST_RULES
