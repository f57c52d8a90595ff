"""What ``verify`` can infer about arguments without a case, from the old source alone.

* A tensor parameter's rank, from what it is passed to: ``tf.nn.conv2d(x, ...)`` makes
  ``x`` rank 4, ``conv1d`` 3, ``conv3d`` 5, ``tf.matmul`` 2; ids given to
  ``embedding_lookup`` / ``gather`` are ``int32[2, 8]``; passed to another function
  of the module, the rank that function needs. Without such evidence, indexing
  (``x.get_shape()[2]``, ``x.shape[-1]``) and axes (``reduce_mean(x, axis=2)``) give a
  lower bound, and the rank is that bound (at least 2). Ops that keep the shape
  (``relu``, ``dropout``, arithmetic) pass evidence through local names. The tensor
  is then ``float32[2, 8, ..., 8]`` (batch 2, every other dimension 8).
* An integer parameter without a default that is used as a dimension of a variable's
  shape (``tf.get_variable("w", [n_in, units])``, ``tf.ones([channels])``,
  ``add_weight(shape=[units])``) is 8, so it matches the inferred tensors.

Nothing else is guessed: a parameter left over needs a case. Everything inferred is
reported on the row, so a reader knows what the verdict rests on.
"""

from __future__ import annotations

import ast
import dataclasses

from migrate_tf.harness.cases import TensorSpec

BATCH = 2
DIMENSION = 8

#: op name (last attribute) -> rank of its first argument (``input``/``value``/``x``)
FIRST_ARGUMENT_RANK = {
    "conv1d": 3,
    "conv2d": 4,
    "depthwise_conv2d": 4,
    "separable_conv2d": 4,
    "conv2d_transpose": 4,
    "atrous_conv2d": 4,
    "max_pool": 4,
    "avg_pool": 4,
    "max_pool2d": 4,
    "avg_pool2d": 4,
    "conv3d": 5,
    "max_pool3d": 5,
    "avg_pool3d": 5,
    "matmul": 2,
    "dense": 2,
    "xw_plus_b": 2,
}
#: ops whose first two positional arguments are both rank-2 matrices
BOTH_MATRIX = {"matmul"}
#: op name -> positional index of an integer id argument
ID_ARGUMENT = {"embedding_lookup": 1, "gather": 1, "one_hot": 0}
ID_KEYWORDS = {"ids", "indices"}
INPUT_KEYWORDS = {"input", "inputs", "value", "x", "a", "features"}
#: ops whose result has the shape of their first argument
SHAPE_PRESERVING = {
    "relu", "relu6", "elu", "selu", "gelu", "tanh", "sigmoid", "softplus", "softsign",
    "leaky_relu", "identity", "dropout", "abs", "square", "sqrt", "rsqrt", "exp", "log",
    "cast", "stop_gradient", "softmax", "log_softmax", "l2_normalize", "clip_by_value",
    "batch_normalization", "layer_norm", "swish", "silu",
}
#: calls whose first argument (or ``shape=``) is a variable or tensor shape
SHAPE_CALLS = {
    "zeros", "ones", "fill", "random_normal", "truncated_normal", "random_uniform",
    "normal", "uniform", "glorot_uniform", "constant",
}
#: calls whose ``shape`` is their second positional argument
SHAPE_SECOND = {"get_variable", "add_weight", "add_variable"}


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    has_default: bool
    keyword_only: bool = False
    default: object = None  # the literal default, when it is one


@dataclasses.dataclass
class Signature:
    params: list[Param]
    var_keyword: bool = False
    var_positional: bool = False

    def get(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]


def signature_of(function: ast.FunctionDef | ast.AsyncFunctionDef, *, method: bool = False) -> Signature:
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    if method and positional:
        positional = positional[1:]
    defaults_start = len(positional) - len(arguments.defaults)
    params = []
    for index, arg in enumerate(positional):
        has_default = index >= defaults_start
        default = _literal(arguments.defaults[index - defaults_start]) if has_default else None
        params.append(Param(arg.arg, has_default, False, default))
    for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        params.append(Param(arg.arg, default is not None, True, _literal(default)))
    return Signature(
        params=params,
        var_keyword=arguments.kwarg is not None,
        var_positional=arguments.vararg is not None,
    )


def _literal(node):
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def module_function(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return None


def module_class(tree: ast.Module, name: str) -> ast.ClassDef | None:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    return None


def class_method(classdef: ast.ClassDef, name: str) -> ast.FunctionDef | None:
    for node in classdef.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return None


def _op_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _subscript_index(node: ast.Subscript) -> int | None:
    value = _literal(node.slice)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclasses.dataclass
class _Evidence:
    rank: int | None = None
    why: str = ""
    conflict: bool = False
    lower: int = 0
    lower_why: str = ""
    ids: bool = False

    def definite(self, rank: int, why: str) -> None:
        if self.rank is None:
            self.rank, self.why = rank, why
        elif self.rank != rank:
            self.conflict = True

    def at_least(self, rank: int, why: str) -> None:
        if rank > self.lower:
            self.lower, self.lower_why = rank, why


class Inference:
    """Inference over one old module (parsed once)."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.functions = {
            node.name: node
            for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        self._cache: dict[tuple[int, str], _Evidence] = {}
        self._active: set[tuple[int, str]] = set()

    # tensors ------------------------------------------------------------------------

    def tensor(self, function: ast.AST, param: str) -> tuple[TensorSpec, str] | None:
        """A tensor spec for ``param`` of ``function`` and why, or None."""
        evidence = self._evidence(function, param)
        if evidence.conflict:
            return None
        if evidence.ids:
            return TensorSpec("int32", (BATCH, DIMENSION)), "ids (integer indices 0..3)"
        if evidence.rank is not None:
            rank, why = evidence.rank, evidence.why
        elif evidence.lower:
            rank, why = max(2, evidence.lower), evidence.lower_why
        else:
            return None
        return TensorSpec("float32", (BATCH,) + (DIMENSION,) * (rank - 1)), why

    def _evidence(self, function: ast.AST, param: str) -> _Evidence:
        key = (id(function), param)
        if key in self._cache:
            return self._cache[key]
        evidence = _Evidence()
        if key in self._active:
            return evidence
        self._active.add(key)
        try:
            aliases = self._aliases(function, param)
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    self._call_evidence(node, aliases, evidence)
                elif isinstance(node, ast.Subscript):
                    self._index_evidence(node, aliases, evidence)
        finally:
            self._active.discard(key)
        self._cache[key] = evidence
        return evidence

    def _aliases(self, function: ast.AST, param: str) -> set[str]:
        """``param`` and the local names that hold a tensor of its shape."""
        names = {param}
        changed = True
        while changed:
            changed = False
            for node in ast.walk(function):
                if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                    continue
                target = node.targets[0]
                if not isinstance(target, ast.Name) or target.id in names:
                    continue
                if self._same_shape(node.value, names):
                    names.add(target.id)
                    changed = True
        return names

    def _same_shape(self, value: ast.expr, names: set[str]) -> bool:
        if isinstance(value, ast.Name):
            return value.id in names
        if isinstance(value, ast.UnaryOp):
            return self._same_shape(value.operand, names)
        if isinstance(value, ast.BinOp) and not isinstance(value.op, ast.MatMult):
            return self._same_shape(value.left, names) or self._same_shape(value.right, names)
        if isinstance(value, ast.Call) and value.args:
            op = _op_name(value.func)
            callee = self.functions.get(op) if isinstance(value.func, ast.Name) else None
            if callee is not None:
                if self._preserves_shape(callee):
                    return self._same_shape(value.args[0], names)
            elif op in SHAPE_PRESERVING:
                return self._same_shape(value.args[0], names)
        return False

    def _preserves_shape(self, function) -> bool:
        """Whether a module function returns a tensor of its first parameter's shape
        (every ``return`` gives it back through shape-preserving operations)."""
        key = (id(function), "<returns>")
        if key in self._cache:
            return bool(self._cache[key].rank)
        self._cache[key] = _Evidence()  # recursion: assume not
        params = signature_of(function).params
        returns = [
            node.value for node in ast.walk(function)
            if isinstance(node, ast.Return) and node.value is not None
        ]
        preserves = bool(params) and bool(returns)
        if preserves:
            names = self._aliases(function, params[0].name)
            preserves = all(self._same_shape(value, names) for value in returns)
        self._cache[key] = _Evidence(rank=1 if preserves else None)
        return preserves

    def _call_evidence(self, call: ast.Call, names: set[str], evidence: _Evidence) -> None:
        op = _op_name(call.func)
        if op is None:
            return
        positions = [
            index for index, arg in enumerate(call.args) if self._same_shape(arg, names)
        ]
        keywords = [
            kw.arg for kw in call.keywords if kw.arg and self._same_shape(kw.value, names)
        ]
        if not positions and not keywords:
            return
        callee = self.functions.get(op) if isinstance(call.func, ast.Name) else None
        if callee is not None:
            # the module's own function: what it needs, not what its name suggests
            signature = signature_of(callee)
            for index in positions:
                if index < len(signature.params):
                    self._from_callee(callee, signature.params[index].name, op, evidence)
            for keyword in keywords:
                self._from_callee(callee, keyword, op, evidence)
            return
        if op in ID_ARGUMENT and (ID_ARGUMENT[op] in positions or ID_KEYWORDS & set(keywords)):
            evidence.ids = True
            return
        first = 0 in positions or bool(INPUT_KEYWORDS & set(keywords))
        if op in FIRST_ARGUMENT_RANK and (first or (op in BOTH_MATRIX and 1 in positions)):
            rank = FIRST_ARGUMENT_RANK[op]
            evidence.definite(rank, f"rank {rank}: passed to `{op}`")
            return
        if first:
            for keyword in call.keywords:
                if keyword.arg in ("axis", "axes", "dim"):
                    for axis in _ints(keyword.value):
                        bound = axis + 1 if axis >= 0 else -axis
                        evidence.at_least(bound, f"rank >= {bound}: `{op}(..., {keyword.arg}=...)`")

    def _from_callee(self, callee, param: str, op: str, evidence: _Evidence) -> None:
        inner = self._evidence(callee, param)
        if inner.ids:
            evidence.ids = True
        elif inner.rank is not None and not inner.conflict:
            evidence.definite(inner.rank, f"rank {inner.rank}: passed to `{op}` ({inner.why})")
        elif inner.lower:
            evidence.at_least(inner.lower, f"passed to `{op}` ({inner.lower_why})")

    def _index_evidence(self, node: ast.Subscript, names: set[str], evidence: _Evidence) -> None:
        index = _subscript_index(node)
        if index is None or not _is_shape_of(node.value, names):
            return
        bound = index + 1 if index >= 0 else -index
        evidence.at_least(bound, f"rank >= {bound}: its shape is indexed with [{index}]")

    # dimensions ---------------------------------------------------------------------

    def dimension(self, function: ast.AST, param: str) -> tuple[int, str] | None:
        """8 when ``param`` is used as a dimension of a variable or tensor shape."""
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            op = _op_name(node.func)
            shapes = []
            if op in SHAPE_SECOND and len(node.args) >= 2:
                shapes.append(node.args[1])
            if op in SHAPE_CALLS and node.args:
                shapes.append(node.args[0])
            shapes += [kw.value for kw in node.keywords if kw.arg == "shape"]
            for shape in shapes:
                if isinstance(shape, (ast.List, ast.Tuple)) and any(
                    isinstance(element, ast.Name) and element.id == param
                    for element in shape.elts
                ):
                    return DIMENSION, f"a dimension of a shape in `{op}`"
            callee = self.functions.get(op) if isinstance(node.func, ast.Name) else None
            if callee is not None and callee is not function:
                signature = signature_of(callee)
                for index, arg in enumerate(node.args):
                    if (
                        isinstance(arg, ast.Name)
                        and arg.id == param
                        and index < len(signature.params)
                        and self.dimension(callee, signature.params[index].name)
                    ):
                        return DIMENSION, f"a dimension in `{op}`"
        return None


def _ints(node: ast.expr) -> list[int]:
    value = _literal(node)
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
    return []


def _is_shape_of(node: ast.expr, names: set[str]) -> bool:
    """``x.shape``, ``x.get_shape()``, ``x.get_shape().as_list()``, ``tf.shape(x)``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "as_list":
            return _is_shape_of(node.func.value, names)
        if node.func.attr == "get_shape":
            return isinstance(node.func.value, ast.Name) and node.func.value.id in names
        if node.func.attr == "shape" and node.args:
            return isinstance(node.args[0], ast.Name) and node.args[0].id in names
    if isinstance(node, ast.Attribute) and node.attr == "shape":
        return isinstance(node.value, ast.Name) and node.value.id in names
    return False


__all__ = [
    "BATCH",
    "DIMENSION",
    "Inference",
    "Param",
    "Signature",
    "class_method",
    "module_class",
    "module_function",
    "signature_of",
]
