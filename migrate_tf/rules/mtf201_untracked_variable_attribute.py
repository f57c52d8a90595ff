"""MTF201 untracked-variable-attribute (work in progress: detection only)."""

from __future__ import annotations

from migrate_tf.rules.base import Rule


class UntrackedVariableAttribute(Rule):
    """
    ## What it does
    Placeholder while the rule is written.

    ## Why is this bad?
    ## Example
    ## Use instead
    ## When it refuses
    """

    CODE = "MTF201"
    NAME = "untracked-variable-attribute"
    SUMMARY = "A `tf.Variable` stored on a Keras 3 layer is not tracked; create it with `self.add_weight` in `build`."
    TRIGGERS = ("Variable",)
