"""Golden cases: every `golden/<CODE>-<name>/<case>/before.py` migrates to `after.py`.

The rule is chosen by the directory's code. Regenerate with `pytest --snapshot-update`
and read the diff before committing it. Findings are part of the contract: a case
that reports findings keeps them in `findings.txt`; a case without that file must
report none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import get_rule

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def golden_cases() -> list[Path]:
    return sorted(path.parent for path in GOLDEN.glob("MTF*-*/*/before.py"))


def rule_for(case: Path):
    return get_rule(case.parent.name.split("-", 1)[0])


def migrate(case: Path, source: str):
    return migrate_source(
        source, rules=[rule_for(case)], settings=Settings(), filename=str(case / "before.py")
    )


CASES = golden_cases()


def test_golden_directory_has_cases():
    assert len(CASES) >= 10, "the golden corpus went missing"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_golden_case(case: Path, snapshot, request):
    before = (case / "before.py").read_text(encoding="utf-8")
    result = migrate(case, before)
    assert result.error is None, result.error
    snapshot.snapshot_dir = case
    snapshot.assert_match(result.output, "after.py")
    findings = "".join(f.format("before.py") + "\n" for f in result.findings)
    if findings or (case / "findings.txt").exists():
        snapshot.assert_match(findings, "findings.txt")
    elif not request.config.getoption("--snapshot-update"):
        assert findings == "", "unexpected findings (no findings.txt for this case)"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_golden_case_is_idempotent(case: Path):
    before = (case / "before.py").read_text(encoding="utf-8")
    once = migrate(case, before)
    twice = migrate(case, once.output)
    assert twice.error is None, twice.error
    assert twice.output == once.output
