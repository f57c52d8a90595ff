"""A rule that plans a rewrite of each Keras layer class it visits.

MTF201, MTF203, MTF204 and MTF206 all work class by class: on entering a class they
decide whether it is a Keras layer (a subclass of a Keras layer, or of a layer class
of the same module) and, unless it is under `# migrate-tf: ignore`, plan what changes;
the plan is at hand while the class's statements are left and is finished when the
class is left. :class:`LayerClassRule` does the bookkeeping; a rule implements
:meth:`plan_class` and, if it needs to, :meth:`finish_class`.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from migrate_tf.rules.base import Rule
from migrate_tf.shared.layers import layer_base_kind


class LayerClassRule(Rule):
    def __init__(self, context) -> None:
        super().__init__(context)
        #: layer classes of this module seen so far (their subclasses are layers too)
        self.local_layers: dict[str, bool] = {}
        self._plans: list[Any] = []
        #: nesting of classes (1 for a module-level class), for indentation
        self.depth = 0

    @property
    def plan(self) -> Any:
        """The plan of the innermost class being visited (None when it has none)."""
        return self._plans[-1] if self._plans else None

    def planned_removal(self, original_node, updated_node):
        """``RemovalSentinel.REMOVE`` for a statement whose id the current plan lists in
        its ``removed`` set; the node as it is otherwise."""
        if self.plan is not None and id(original_node) in getattr(self.plan, "removed", ()):
            return cst.RemovalSentinel.REMOVE
        return updated_node

    def plan_class(self, classdef: cst.ClassDef, kind: str) -> Any:
        """The plan for a Keras layer class (``kind`` is "plain" or "derived"), or None."""
        raise NotImplementedError

    def finish_class(self, original: cst.ClassDef, updated: cst.ClassDef, plan: Any) -> cst.ClassDef:
        """The class once its body was visited; ``plan`` is not None."""
        return updated

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.depth += 1
        kind = layer_base_kind(node, self.context.imports, self.local_layers)
        if kind is not None:
            self.local_layers[node.name.value] = True
        planned = None
        if kind is not None and not self.is_suppressed(node):
            planned = self.plan_class(node, kind)
        self._plans.append(planned)
        return True

    def leave_ClassDef(self, original_node, updated_node):
        self.depth -= 1
        planned = self._plans.pop()
        if planned is None:
            return updated_node
        return self.finish_class(original_node, updated_node, planned)
