"""A CSTTransformer for the rules' internal rewrites, with less work per node.

LibCST's ``CSTTransformer`` looks its hooks up by name at every node (a formatted
string and a ``getattr`` for ``visit_<Type>``, ``leave_<Type>`` and, around every
field, ``visit_<Type>_<field>``/``leave_<Type>_<field>``), calls the no-op
defaults, and walks into the whitespace and parentheses of every name and literal,
rebuilding them. :class:`Transformer` calls exactly the hooks its subclass defines,
in the same order, with the same results:

* the hooks of each node type are looked up once per class;
* there are no attribute hooks (a subclass that defines one is refused);
* the insides of names, literals, operators, whitespace and punctuation (nothing
  but whitespace, punctuation and comments) are not entered, unless the subclass
  hooks one of those inner types. The node itself is still visited and left; its
  "updated" node is then the node itself, equal to the copy LibCST would build.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from migrate_tf.shared.walk import (
    LEAF_NODE_CLASSES,
    WHITESPACE_AND_PUNCTUATION_CLASSES,
    with_subclasses,
)

_INSIDE = with_subclasses(WHITESPACE_AND_PUNCTUATION_CLASSES)
_NOT_ENTERED = with_subclasses(LEAF_NODE_CLASSES) | _INSIDE
_BASE = cst.CSTTransformer


class Transformer(cst.CSTTransformer):
    """See the module documentation."""

    #: node type -> (own visit hook or None, own leave hook or None, enter its children)
    _table: ClassVar[dict[type, tuple]] = {}
    #: whether the subclass hooks a type found inside leaves (then every node is entered)
    _enter_everything: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._table = {}
        hooked = set()
        for name in dir(cls):
            if not name.startswith(("visit_", "leave_")):
                continue
            if getattr(cls, name) is getattr(_BASE, name, None):
                continue
            type_name = name.split("_", 1)[1]
            node_type = getattr(cst, type_name, None)
            if not (isinstance(node_type, type) and issubclass(node_type, cst.CSTNode)):
                raise TypeError(
                    f"{cls.__name__}.{name}: attribute hooks are not supported by Transformer"
                )
            hooked.add(node_type)
        cls._enter_everything = bool(with_subclasses(hooked) & _INSIDE)

    def _entry(self, node_type: type) -> tuple:
        cls = type(self)
        visit = getattr(cls, f"visit_{node_type.__name__}", None)
        leave = getattr(cls, f"leave_{node_type.__name__}", None)
        if visit is getattr(_BASE, f"visit_{node_type.__name__}", None):
            visit = None
        if leave is getattr(_BASE, f"leave_{node_type.__name__}", None):
            leave = None
        enter = cls._enter_everything or node_type not in _NOT_ENTERED
        entry = cls._table[node_type] = (visit, leave, enter)
        return entry

    def on_visit(self, node: cst.CSTNode) -> bool:
        entry = self._table.get(type(node)) or self._entry(type(node))
        visit = entry[0]
        if visit is not None and visit(self, node) is False:
            return False
        return entry[2]

    def on_leave(self, original_node, updated_node):
        entry = self._table.get(type(original_node)) or self._entry(type(original_node))
        leave = entry[1]
        if leave is None:
            return updated_node
        return leave(self, original_node, updated_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None
