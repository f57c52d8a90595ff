"""Moving expressions out of the function they were written in.

Weights move from ``__init__``/``call`` (or a TF1 graph function) into ``build``. An
expression that moves must mean the same there:

* a tensor input's static shape becomes the shape ``build`` receives
  (``x.get_shape()[-1]``, ``x.shape[-1].value``, ``int(x.shape[-1])``,
  ``x.shape.as_list()``, ``shape_list(x)[-1]`` -> ``x_shape[-1]`` /
  ``list(x_shape)``), see :func:`lift_input_shapes`;
* a constructor argument becomes the attribute that stores it, and a local variable
  of the old function stops the move, see :func:`rename_locals`.
"""

from __future__ import annotations

import libcst as cst

from migrate_tf.shared.walk import answers_per_file, find, pruned

from migrate_tf.shared.codegen import code_of, expression
from migrate_tf.shared.initializers import Refusal
from migrate_tf.shared.transformer import Transformer

#: Helpers that return a tensor's shape as a list (static where known), common in
#: TF1 code bases (GPT-2's `shape_list`, tensor2tensor's `shape_list`).
SHAPE_LIST_HELPERS = frozenset({"shape_list", "get_shape_list", "combined_static_and_dynamic_shape"})


class _ShapeLifter(Transformer):
    def __init__(self, tensors: dict[str, str]) -> None:
        super().__init__()
        self.tensors = tensors  # tensor parameter -> name of its shape in build

    def _tensor_of_shape(self, node: cst.CSTNode) -> str | None:
        """The tensor parameter whose static shape ``node`` denotes, if any."""
        # x.shape
        if isinstance(node, cst.Attribute) and node.attr.value == "shape":
            if isinstance(node.value, cst.Name) and node.value.value in self.tensors:
                return node.value.value
        if isinstance(node, cst.Call) and not node.args:
            func = node.func
            # x.get_shape()
            if isinstance(func, cst.Attribute) and func.attr.value == "get_shape":
                if isinstance(func.value, cst.Name) and func.value.value in self.tensors:
                    return func.value.value
        return None

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        func = updated_node.func
        # <shape>.as_list() -> list(<shape in build>)
        if isinstance(func, cst.Attribute) and func.attr.value == "as_list" and not updated_node.args:
            tensor = self._tensor_of_shape(original_node.func.value)
            if tensor is not None:
                return expression(f"list({self.tensors[tensor]})")
        # shape_list(x) -> list(x_shape)
        if isinstance(func, cst.Name) and func.value in SHAPE_LIST_HELPERS:
            if len(updated_node.args) == 1 and isinstance(updated_node.args[0].value, cst.Name):
                tensor = updated_node.args[0].value.value
                if tensor in self.tensors:
                    return expression(f"list({self.tensors[tensor]})")
        tensor = self._tensor_of_shape(original_node)
        if tensor is not None:
            return cst.Name(self.tensors[tensor])
        return updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute):
        tensor = self._tensor_of_shape(original_node)
        if tensor is not None:
            return cst.Name(self.tensors[tensor])
        # TF1 Dimension objects: `<dim>.value` is the int itself in the shape tuple.
        if updated_node.attr.value == "value" and isinstance(updated_node.value, cst.Subscript):
            if isinstance(updated_node.value.value, cst.Name) and updated_node.value.value.value in self.tensors.values():
                return updated_node.value
        # x.shape.rank / x.shape.ndims -> len(x_shape)
        if updated_node.attr.value in ("rank", "ndims") and isinstance(updated_node.value, cst.Name):
            if updated_node.value.value in self.tensors.values():
                return expression(f"len({updated_node.value.value})")
        return updated_node


def lift_input_shapes(expression: cst.BaseExpression, tensors: dict[str, str]) -> cst.BaseExpression:
    """Rewrite uses of the tensors' static shapes into the shapes ``build`` receives.

    ``tensors`` maps each tensor parameter to the name of its shape in ``build``.
    Refusal when the expression still needs a tensor's value (``tf.shape(x)``,
    ``x.dtype``, ``x`` itself).
    """
    names = {name.value for name in find(expression, cst.Name)}
    if names.isdisjoint(tensors) and names.isdisjoint(tensors.values()):
        return expression  # nothing to lift (every rewrite starts at one of these names)
    lifted = expression.visit(_ShapeLifter(tensors))
    for tensor in tensors:
        if any(name.value == tensor for name in find(lifted, cst.Name)):
            raise Refusal(
                f"`{code_of(expression)}` needs the value of the input `{tensor}`, "
                "not only its static shape"
            )
    return lifted


class _Renamer(Transformer):
    def __init__(self, renames: dict[str, str], forbidden: dict[str, str]) -> None:
        super().__init__()
        self.renames = renames
        self.forbidden = forbidden
        self.blocked: str | None = None

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        # Only the leftmost name of `a.b.c` is a variable reference.
        return False

    def leave_Attribute(self, original_node, updated_node):
        return updated_node.with_changes(value=updated_node.value.visit(self))

    def visit_Arg(self, node: cst.Arg) -> bool:
        # A keyword (`stddev=`) is not a reference; only the value is.
        return False

    def leave_Arg(self, original_node, updated_node):
        return updated_node.with_changes(value=updated_node.value.visit(self))

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name):
        if original_node.value in self.renames:
            return expression(self.renames[original_node.value])
        if original_node.value in self.forbidden and self.blocked is None:
            self.blocked = original_node.value
        return updated_node


def rename_locals(
    expression: cst.BaseExpression, renames: dict[str, str], forbidden: dict[str, str]
) -> cst.BaseExpression:
    """Replace names by their new spelling (``units`` -> ``self.units``); Refusal when
    the expression uses a name in ``forbidden`` (a local that does not survive the
    move), whose value there says what the name is (``"an argument of `call`"``)."""
    if not any(
        name.value in renames or name.value in forbidden for name in find(expression, cst.Name)
    ):
        return expression  # nothing to rename or refuse
    renamer = _Renamer(renames, forbidden)
    if isinstance(expression, cst.Name):
        result = renamer.leave_Name(expression, expression)
    else:
        result = expression.visit(renamer)
    if renamer.blocked is not None:
        name = renamer.blocked
        subject = (
            f"`{name}`"
            if code_of(expression) == name
            else f"`{code_of(expression)}` depends on `{name}`, which"
        )
        raise Refusal(f"{subject} is {forbidden[name]}, so `build` cannot see its value")
    return result


def locals_of(function: cst.FunctionDef) -> dict[str, str]:
    """Every local name of ``function`` -> what it is, for refusal messages."""
    name = function.name.value
    parameters = {param.name.value for param in _all_params(function.params)}
    described = {
        local: f"a local variable of `{name}`" for local in assigned_names(function)
    }
    for parameter in parameters:
        described[parameter] = f"an argument of `{name}` that is not stored on `self`"
    return described


def bound_names(target: cst.BaseExpression) -> list[str]:
    """Names an assignment target binds: `a`, `a, (b, *c)`; not `self.a` or `x[i]`."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in bound_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return bound_names(target.value)
    return []


@answers_per_file
def assigned_names(function: cst.FunctionDef) -> frozenset[str]:
    """Parameters and every name a function binds (its locals)."""
    names = {param.name.value for param in _all_params(function.params)}
    kinds = _BINDING_KINDS
    for node in pruned(function.body, _is_scope):
        kind = kinds[type(node)]
        if kind is None:
            continue
        if kind is _DEFINITION:
            names.add(node.name.value)
        else:
            names.update(_names_bound_by(node, kind))
    return frozenset(names)


def _is_scope(node: cst.CSTNode) -> bool:
    """Functions, classes and lambdas nested in a function have their own names."""
    return _SCOPES[type(node)]


_DEFINITION, _TARGET, _SIMPLE_TARGET, _LOOP, _AS, _IMPORT = (
    "definition", "target", "simple target", "loop", "as", "import",
)


class _ByClass(dict):
    """Node class -> ``answer(class)``, worked out once per class: `isinstance` on
    LibCST's classes runs ABCMeta's Python-level check for every node that is not of
    the exact class, a dictionary lookup does not."""

    def __init__(self, answer) -> None:
        super().__init__()
        self.answer = answer

    def __missing__(self, cls: type):
        self[cls] = found = self.answer(cls)
        return found


def _binding_kind(cls: type) -> str | None:
    # the order of the isinstance tests this replaces
    if issubclass(cls, (cst.FunctionDef, cst.ClassDef)):
        return _DEFINITION
    if issubclass(cls, cst.AssignTarget):
        return _TARGET
    if issubclass(cls, (cst.AugAssign, cst.AnnAssign, cst.NamedExpr)):
        return _SIMPLE_TARGET
    if issubclass(cls, (cst.For, cst.CompFor)):
        return _LOOP
    if issubclass(cls, cst.AsName):
        return _AS
    if issubclass(cls, cst.ImportAlias):
        return _IMPORT
    return None


_BINDING_KINDS = _ByClass(_binding_kind)
_SCOPES = _ByClass(lambda cls: issubclass(cls, (cst.FunctionDef, cst.ClassDef, cst.Lambda)))


def _names_bound_by(node: cst.CSTNode, kind: str | None = None) -> list[str]:
    """The names one node binds by itself (not counting the nodes below it)."""
    if kind is None:
        kind = _BINDING_KINDS[type(node)]
    if kind is _TARGET or kind is _LOOP:
        return bound_names(node.target)
    if kind is _SIMPLE_TARGET:
        return [node.target.value] if isinstance(node.target, cst.Name) else []
    if kind is _AS:
        return bound_names(node.name)
    if kind is _IMPORT:
        if node.asname is not None:
            target = node.asname.name
            return [target.value] if isinstance(target, cst.Name) else []
        # `import a.b.c` binds `a`
        target = node.name
        while isinstance(target, cst.Attribute):
            target = target.value
        return [target.value] if isinstance(target, cst.Name) else []
    return []


def _all_params(params: cst.Parameters):
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


def positional_params(function: cst.FunctionDef) -> list[str]:
    return [param.name.value for param in (*function.params.posonly_params, *function.params.params)]
