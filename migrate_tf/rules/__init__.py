"""The rule registry: every rule, by code.

Rules are listed here explicitly (not discovered by scanning) so that start-up cost is
predictable and a broken rule module fails the test suite, not a user's run.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from migrate_tf.rules.base import Finding, Rule

RULE_MODULES = (
    "migrate_tf.rules.mtf101_scoped_function_to_layer",
    "migrate_tf.rules.mtf201_untracked_variable_attribute",
    "migrate_tf.rules.mtf202_nested_module",
    "migrate_tf.rules.mtf203_lambda_variables",
    "migrate_tf.rules.mtf204_manual_weight_tracking",
    "migrate_tf.rules.mtf205_variable_collections",
    "migrate_tf.rules.mtf206_variables_in_call",
    "migrate_tf.rules.mtf207_positional_add_weight",
)

__all__ = ["Finding", "Rule", "all_rules", "get_rule", "select_rules", "UnknownRuleError"]


class UnknownRuleError(ValueError):
    """A rule code or prefix in --select/--ignore (or the config) matches no rule."""


@lru_cache(maxsize=None)
def all_rules() -> tuple[type[Rule], ...]:
    rules = []
    for module_name in RULE_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule:
                if value.__module__ == module_name and value.CODE:
                    value.check_definition()
                    rules.append(value)
    codes = [rule.CODE for rule in rules]
    duplicates = {code for code in codes if codes.count(code) > 1}
    if duplicates:
        raise TypeError(f"duplicate rule codes: {sorted(duplicates)}")
    return tuple(sorted(rules, key=lambda rule: rule.CODE))


def get_rule(code_or_name: str) -> type[Rule]:
    wanted = code_or_name.strip()
    for rule in all_rules():
        if wanted.upper() == rule.CODE or wanted.lower() == rule.NAME:
            return rule
    raise UnknownRuleError(f"unknown rule {code_or_name!r}")


def _matches(rule: type[Rule], selector: str) -> bool:
    selector = selector.strip()
    if selector.upper() == "ALL":
        return True
    return rule.CODE.startswith(selector.upper()) or rule.NAME == selector.lower()


def select_rules(
    select: list[str] | None = None, ignore: list[str] | None = None
) -> tuple[type[Rule], ...]:
    """Rules chosen by code prefixes (``MTF2``), full codes or names, as ruff does."""
    for selector in [*(select or []), *(ignore or [])]:
        if not any(_matches(rule, selector) for rule in all_rules()):
            raise UnknownRuleError(f"unknown rule code or prefix {selector!r}")
    chosen = [
        rule
        for rule in all_rules()
        if not select or any(_matches(rule, s) for s in select)
    ]
    return tuple(
        rule for rule in chosen if not any(_matches(rule, s) for s in (ignore or []))
    )
