"""Write docs/rules/: one page per rule (its documentation) and an index.

Run with `python -m migrate_tf.docs [DOCS_DIR]` (`make docs`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from migrate_tf.rules import all_rules


def rule_index() -> str:
    lines = [
        "# Rules",
        "",
        "Each page is also printed by `migrate-tf rules CODE`.",
        "",
        "| Code | Name | What it fixes |",
        "| --- | --- | --- |",
    ]
    for rule in all_rules():
        summary = rule.SUMMARY.replace("|", "\\|")
        lines.append(f"| [{rule.CODE}]({rule.CODE}.md) | `{rule.NAME}` | {summary} |")
    return "\n".join(lines) + "\n"


def write_docs(docs: Path) -> list[Path]:
    rules_dir = docs / "rules"
    rules_dir.mkdir(parents=True, exist_ok=True)
    written = []
    pages = {f"{rule.CODE}.md": rule.documentation() for rule in all_rules()}
    pages["README.md"] = rule_index()
    for name, text in pages.items():
        path = rules_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs"
    for path in write_docs(target):
        print(f"wrote {path}")
