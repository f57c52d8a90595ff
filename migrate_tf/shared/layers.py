"""Keras layer classes: recognising them and giving them a ``build`` method.

Shared by every rule that moves weight creation into ``build``.
"""

from __future__ import annotations

import libcst as cst

from migrate_tf.shared.codegen import parse_statements
from migrate_tf.shared.imports import ImportIndex

#: Public attributes of Keras 3's Layer (3.15), plus what its constructor sets: a
#: generated attribute with one of these names would shadow or break the layer.
LAYER_ATTRIBUTES = frozenset(
    """
    add_loss add_metric add_variable add_weight build build_from_config built call
    compute_dtype compute_mask compute_output_shape compute_output_spec count_params
    dtype dtype_policy from_config get_build_config get_config get_weights input
    input_dtype input_spec load_own_variables losses metrics metrics_variables name
    non_trainable_variables non_trainable_weights output path quantization_mode
    quantize quantized_build quantized_call rematerialized_call save_own_variables
    set_weights stateless_call supports_masking symbolic_call trainable
    trainable_variables trainable_weights variable_dtype variables weights
    autocast seed_generators
    """.split()
)


def safe_attribute(name: str, taken: set[str] = frozenset()) -> str:
    """``name``, or ``name_`` when it would collide with a Keras Layer attribute."""
    while name in LAYER_ATTRIBUTES or name in taken:
        name += "_"
    return name


#: Base classes that make a class a Keras layer without a ``build`` of their own that
#: subclasses must call (``keras.layers.Layer.build`` only marks the layer built).
PLAIN_LAYER_BASES = frozenset({"keras.layers.Layer", "keras.models.Model"})


def layer_base_kind(
    classdef: cst.ClassDef, index: ImportIndex, local_layers: dict[str, bool]
) -> str | None:
    """``"plain"`` for a direct Layer/Model subclass, ``"derived"`` for a subclass of
    another layer (a Keras layer such as Dense, or a layer class of this module whose
    ``build`` must still run), None when the class is not a Keras layer."""
    kind = None
    for base in classdef.bases:
        if base.keyword is not None:
            continue
        value = base.value
        if isinstance(value, cst.Name) and value.value in local_layers:
            return "derived"
        canonical = index.canonical(value)
        if canonical is None:
            continue
        if canonical in PLAIN_LAYER_BASES:
            kind = kind or "plain"
        elif canonical.startswith("keras.layers.") or canonical.startswith("keras.models."):
            return "derived"
        elif canonical.startswith("keras.") and canonical.rsplit(".", 1)[-1][:1].isupper():
            # keras.applications / keras_nlp-style classes are layers too.
            return "derived"
    return kind


def method(classdef: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    body = classdef.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    for statement in body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None


def self_name(function: cst.FunctionDef) -> str | None:
    params = [*function.params.posonly_params, *function.params.params]
    return params[0].name.value if params else None


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_super_build(statement: cst.BaseStatement) -> bool:
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return False
    small = statement.body[0]
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        func = small.value.func
        return isinstance(func, cst.Attribute) and func.attr.value == "build"
    if isinstance(small, cst.Assign):
        target = small.targets[0].target
        return isinstance(target, cst.Attribute) and target.attr.value == "built"
    return False


def insert_into_build(
    build: cst.FunctionDef,
    first: list[cst.BaseStatement],
    last: list[cst.BaseStatement],
) -> cst.FunctionDef:
    """Put ``first`` at the start of ``build`` (after a docstring and a leading
    ``super().build(...)``) and ``last`` before its closing ``super().build(...)`` or
    ``self.built = True``."""
    body = list(build.body.body)
    start = 0
    while start < len(body) and (_is_docstring(body[start]) or _is_super_build(body[start])):
        start += 1
    end = len(body)
    while end > start and _is_super_build(body[end - 1]):
        end -= 1
    if start == len(body) and body and all(_is_docstring(s) for s in body):
        end = len(body)
    new_body = body[:start] + first + body[start:end] + last + body[end:]
    new_body = [s for s in new_body if not _is_pass(s)] or new_body
    return build.with_changes(body=build.body.with_changes(body=new_body))


def _is_pass(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Pass)
    )


def new_build_method(
    self_param: str,
    shape_param: str,
    statements: list[cst.BaseStatement],
    *,
    call_super: bool,
    blank_lines: int,
) -> cst.FunctionDef:
    """``def build(self, input_shape): ...`` holding ``statements``."""
    lines = [f"def build({self_param}, {shape_param}):"]
    if call_super:
        lines.append(f"    super().build({shape_param})")
    else:
        lines.append("    pass")
    function = parse_statements("\n".join(lines) + "\n")[0]
    assert isinstance(function, cst.FunctionDef)
    body = list(function.body.body)
    if not call_super:
        body = []
    function = function.with_changes(
        body=function.body.with_changes(body=body + statements),
        leading_lines=[cst.EmptyLine(indent=False)] * blank_lines,
    )
    return function


def blank_lines_between_methods(classdef: cst.ClassDef) -> int:
    """How many blank lines this class puts before its methods (1 by default)."""
    body = classdef.body
    if not isinstance(body, cst.IndentedBlock):
        return 1
    methods = [s for s in body.body if isinstance(s, cst.FunctionDef)]
    for function in methods[1:]:
        blanks = 0
        for line in function.leading_lines:
            if line.comment is None:
                blanks += 1
        return min(blanks, 2)
    return 1


def remove_statements(
    function: cst.FunctionDef, remove: set[int]
) -> cst.FunctionDef:
    """``function`` without the statements at indexes ``remove`` of its body; a body
    left empty gets ``pass``. Comments above a removed statement go with it (the
    caller carries them over)."""
    body = [s for i, s in enumerate(function.body.body) if i not in remove]
    if not body or all(_is_docstring(s) for s in body):
        body.append(cst.SimpleStatementLine(body=[cst.Pass()]))
    return function.with_changes(body=function.body.with_changes(body=body))
