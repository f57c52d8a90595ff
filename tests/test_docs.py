"""docs/rules/<CODE>.md is the rule's own documentation, kept in sync."""

from pathlib import Path

import pytest

from migrate_tf.rules import all_rules

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.CODE)
def test_rule_page_matches_the_rule_documentation(rule):
    page = DOCS / "rules" / f"{rule.CODE}.md"
    assert page.read_text(encoding="utf-8") == rule.documentation(), (
        f"{page} is stale: run `make docs`"
    )


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.CODE)
def test_rule_index_links_every_rule(rule):
    index = (DOCS / "rules" / "README.md").read_text(encoding="utf-8")
    assert f"[{rule.CODE}]({rule.CODE}.md)" in index
