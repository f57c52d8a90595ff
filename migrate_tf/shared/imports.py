"""How a file imports TensorFlow and Keras, and what a dotted expression refers to.

Every rule asks the same questions: is ``tf.Variable`` TensorFlow's ``Variable``
whatever ``tf`` is bound to? Is ``BaseLayer`` (imported ``as`` something) Keras'
``Layer``? Is this file TF1 code, where ``tf.random_normal_initializer()`` has TF1's
defaults? :class:`ImportIndex` answers them from the file's import statements alone
(no scope analysis: it is cheap, and TensorFlow aliases are module-level in practice).

Canonical names
    ``tf.X``     TensorFlow 2 API ``X`` (``tensorflow.X``, ``tensorflow.compat.v2.X``)
    ``tf1.X``    TensorFlow 1 API ``X`` (``tensorflow.compat.v1.X``, or ``tensorflow.X``
                 in a file written for TensorFlow 1)
    ``keras.X``  Keras ``X`` whatever the spelling (``tf.keras``, ``tensorflow.keras``,
                 ``tf_keras``, ``keras``; ``keras.Layer`` is ``keras.layers.Layer``)
"""

from __future__ import annotations

import dataclasses
import re
from typing import Iterator

import libcst as cst

from migrate_tf.shared.walk import answers_per_file

#: Names that exist only in TensorFlow 1: a file using them through ``tensorflow``
#: (``import tensorflow as tf; tf.get_variable``) was written for TensorFlow 1.
TF1_ONLY_NAMES = frozenset(
    {
        "get_variable",
        "variable_scope",
        "placeholder",
        "Session",
        "InteractiveSession",
        "layers",
        "contrib",
        "global_variables_initializer",
        "trainable_variables",
        "global_variables",
        "get_collection",
        "GraphKeys",
        "truncated_normal_initializer",
        "glorot_uniform_initializer",
        "glorot_normal_initializer",
        "variance_scaling_initializer",
        "uniform_unit_scaling_initializer",
        "random_normal",
        "random_uniform",
        "truncated_normal",
        "AUTO_REUSE",
        "get_variable_scope",
        "reset_default_graph",
    }
)

_KERAS_PREFIXES = (
    "tensorflow.compat.v1.keras",
    "tensorflow.compat.v2.keras",
    "tensorflow.python.keras",
    "tensorflow.keras",
    "tf_keras",
    "keras",
)

#: Short Keras 3 spellings that name the same object as a longer one.
_KERAS_SHORTHANDS = {
    "keras.Layer": "keras.layers.Layer",
    "keras.Model": "keras.models.Model",
    "keras.Sequential": "keras.models.Sequential",
    "keras.engine.base_layer.Layer": "keras.layers.Layer",
    "keras.engine.training.Model": "keras.models.Model",
    "keras.src.layers.layer.Layer": "keras.layers.Layer",
    "keras.layers.core.Lambda": "keras.layers.Lambda",
}


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def _import_name(node: cst.BaseExpression) -> str:
    name = dotted_name(node)
    assert name is not None  # import targets are always dotted names
    return name


def _top_level_statements(body) -> Iterator[cst.CSTNode]:
    """Statements of a module, descending into if/try/with blocks but not into
    functions or classes (where an import would be local)."""
    for statement in body:
        yield statement
        if isinstance(statement, (cst.If, cst.Try, cst.With, cst.TryStar)):
            blocks = [statement.body]
            if isinstance(statement, cst.If) and statement.orelse is not None:
                blocks.append(statement.orelse.body)
            if isinstance(statement, (cst.Try, cst.TryStar)):
                blocks.extend(handler.body for handler in statement.handlers)
                if statement.orelse is not None:
                    blocks.append(statement.orelse.body)
                if statement.finalbody is not None:
                    blocks.append(statement.finalbody.body)
            for block in blocks:
                if isinstance(block, cst.IndentedBlock):
                    yield from _top_level_statements(block.body)
                elif isinstance(block, cst.If):  # elif chains
                    yield from _top_level_statements([block])


@dataclasses.dataclass
class ImportIndex:
    #: local name -> fully qualified dotted name it is bound to by an import
    bindings: dict[str, str]
    #: True when the file is TensorFlow 1 code (see module docstring)
    tf1: bool = False
    #: id of an expression -> (the expression, its canonical name): the rules of a TF
    #: file ask about the same callee about three times (planning, writing, other
    #: rules). The index of a file is complete once built (``from_module``).
    _canonical: dict = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_module(cls, module: cst.Module, source: str | None = None) -> "ImportIndex":
        """Read the imports of ``module``; ``source`` is its text when at hand."""
        bindings: dict[str, str] = {}
        for statement in _top_level_statements(module.body):
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        full = _import_name(alias.name)
                        if alias.asname is not None:
                            local = _import_name(alias.asname.name)
                            bindings[local] = full
                        else:
                            top = full.split(".")[0]
                            bindings[top] = top
                elif isinstance(small, cst.ImportFrom):
                    if small.relative or small.module is None:
                        continue
                    if isinstance(small.names, cst.ImportStar):
                        continue
                    base = _import_name(small.module)
                    for alias in small.names:
                        name = _import_name(alias.name)
                        local = (
                            _import_name(alias.asname.name)
                            if alias.asname is not None
                            else name
                        )
                        bindings[local] = f"{base}.{name}"
                elif isinstance(small, cst.Assign) and len(small.targets) == 1:
                    # `tf = tf.compat.v1` style rebinding of an alias.
                    target = small.targets[0].target
                    value = dotted_name(small.value)
                    if isinstance(target, cst.Name) and value is not None:
                        head = value.split(".")[0]
                        if head in bindings:
                            resolved = bindings[head] + value[len(head) :]
                            if resolved.startswith(("tensorflow", "keras", "tf_keras")):
                                bindings[target.value] = resolved
        index = cls(bindings=bindings)
        index.tf1 = index._looks_like_tf1(module.code if source is None else source)
        return index

    def _looks_like_tf1(self, source: str) -> bool:
        if any(
            full == "tensorflow.compat.v1" or full.startswith("tensorflow.compat.v1.")
            for full in self.bindings.values()
        ):
            return True
        aliases = [local for local, full in self.bindings.items() if full == "tensorflow"]
        if not aliases:
            return False
        pattern = re.compile(
            r"\b(?:%s)\.(?:%s)\b"
            % ("|".join(map(re.escape, aliases)), "|".join(sorted(TF1_ONLY_NAMES)))
        )
        return pattern.search(source) is not None

    # Questions rules ask ------------------------------------------------------

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        """``tensorflow.compat.v1.get_variable`` for ``tf.get_variable`` when ``tf``
        is ``tensorflow.compat.v1``; None for names not bound by an import."""
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if head not in self.bindings:
            return None
        full = self.bindings[head]
        return f"{full}.{rest}" if rest else full

    def canonical(self, node: cst.BaseExpression) -> str | None:
        """The canonical API name (see module docstring) of ``node``, or None."""
        entry = self._canonical.get(id(node))
        if entry is not None and entry[0] is node and entry[1] is self.tf1:
            return entry[2]
        full = self.qualified_name(node)
        answer = None if full is None else self.canonicalize(full)
        self._canonical[id(node)] = (node, self.tf1, answer)
        return answer

    def canonicalize(self, full: str) -> str | None:
        for prefix in _KERAS_PREFIXES:
            if full == prefix or full.startswith(prefix + "."):
                name = "keras" + full[len(prefix) :]
                return _KERAS_SHORTHANDS.get(name, name)
        if full.startswith("tensorflow.compat.v1.") or full == "tensorflow.compat.v1":
            return "tf1" + full[len("tensorflow.compat.v1") :]
        if full.startswith("tensorflow.compat.v2.") or full == "tensorflow.compat.v2":
            return "tf" + full[len("tensorflow.compat.v2") :]
        if full == "tensorflow" or full.startswith("tensorflow."):
            rest = full[len("tensorflow") :]
            return ("tf1" if self.tf1 else "tf") + rest
        return None

    def is_api(self, node: cst.BaseExpression, *names: str) -> bool:
        """Whether ``node`` is one of ``names``; ``tf.X`` also matches ``tf1.X``."""
        canonical = self.canonical(node)
        if canonical is None:
            return False
        for name in names:
            if canonical == name:
                return True
            if name.startswith("tf.") and canonical == "tf1." + name[3:]:
                return True
        return False

    def local_name_for(self, full: str) -> str | None:
        """A local name already bound to the module ``full`` (e.g. ``keras``)."""
        for local, bound in self.bindings.items():
            if bound == full:
                return local
        return None

    def keras_module_name(self) -> str | None:
        """A local name bound to a Keras 3 module namespace, if the file has one."""
        for local, bound in self.bindings.items():
            if bound in ("keras", "tensorflow.keras") and "." not in local:
                return local
        return None

    def tensorflow_module_name(self) -> str | None:
        for local, bound in self.bindings.items():
            if bound in ("tensorflow", "tensorflow.compat.v1", "tensorflow.compat.v2"):
                return local
        return None

    def is_bound(self, name: str) -> bool:
        return name in self.bindings


# Adding imports ------------------------------------------------------------------


def _imported_module(statement: cst.CSTNode) -> str | None:
    """The module an `import x` / `from x import y` line imports (for sorting)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import):
        return dotted_name(small.names[0].name)
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
        return dotted_name(small.module)
    return None


def _already_imported(module: cst.Module, wanted: tuple[str, str | None]) -> bool:
    module_name, obj = wanted
    index = ImportIndex.from_module(module, source="")
    if obj is None:
        return index.bindings.get(module_name.split(".")[0]) == module_name.split(".")[0] and (
            "." not in module_name or module_name in index.bindings.values()
        )
    return index.bindings.get(obj) == f"{module_name}.{obj}"


def add_imports(module: cst.Module, wanted: list[tuple[str, str | None]]) -> cst.Module:
    """Add ``import m`` / ``from m import o`` once each, where a person would: in the
    group of imports that holds TensorFlow's, at its alphabetical place."""
    for module_name, obj in wanted:
        if _already_imported(module, (module_name, obj)):
            continue
        text = f"import {module_name}\n" if obj is None else f"from {module_name} import {obj}\n"
        new_statement = cst.parse_statement(text)
        module = _insert_import(module, new_statement, module_name)
    return module


def _insert_import(module: cst.Module, statement: cst.SimpleStatementLine, sort_key: str) -> cst.Module:
    body = list(module.body)
    imports = [i for i, s in enumerate(body) if _imported_module(s) is not None]
    if not imports:
        position = 0
        while position < len(body) and _is_docstring_or_future(body[position]):
            position += 1
        body.insert(position, statement)
        return module.with_changes(body=body)
    anchor = next(
        (i for i in imports if (_imported_module(body[i]) or "").split(".")[0] in ("tensorflow", "keras")),
        imports[-1],
    )
    # The group: neighbouring import lines with no blank line between them.
    start = anchor
    while start - 1 in imports and not _starts_group(body[start]):
        start -= 1
    end = anchor
    while end + 1 in imports and not _starts_group(body[end + 1]):
        end += 1
    position = end + 1
    for i in range(start, end + 1):
        if (_imported_module(body[i]) or "") > sort_key and not _is_future(body[i]):
            position = i
            break
    if position == start and start != end + 1:
        # Take over the group's leading comments and blank lines.
        first = body[start]
        statement = statement.with_changes(leading_lines=first.leading_lines)
        body[start] = first.with_changes(leading_lines=[])
    body.insert(position, statement)
    return module.with_changes(body=body)


def _starts_group(statement: cst.CSTNode) -> bool:
    return any(line.comment is None for line in getattr(statement, "leading_lines", ()))


def _is_future(statement: cst.CSTNode) -> bool:
    return _imported_module(statement) == "__future__"


def _is_docstring_or_future(statement: cst.CSTNode) -> bool:
    if _is_future(statement):
        return True
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


# Removing imports a migration made unused ---------------------------------------------

_REMOVABLE_PREFIXES = ("tensorflow", "keras", "tf_keras")


@answers_per_file
def _statement_names(statement: cst.CSTNode) -> frozenset[str]:
    """Names a top-level statement reads, outside import statements (worked out once
    per file: a statement a migration left as it was is the same node before and
    after it)."""
    from migrate_tf.shared.names import free_names

    return frozenset(free_names(statement, skip_imports=True))


def _alias_local(alias: cst.ImportAlias) -> str | None:
    """The name an import alias binds (``a`` for ``import a.b``)."""
    bound = alias.asname.name if alias.asname is not None else alias.name
    local = dotted_name(bound)
    return local.split(".")[0] if local is not None else None


def _aliases(statement: cst.CSTNode) -> list[tuple[cst.ImportAlias, str]] | None:
    """(alias, module name) of each alias of a top-level one-import statement (the
    module name empty for relative imports); None for any other statement."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import):
        return [(a, dotted_name(a.name) or "") for a in small.names]
    if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
        module_name = dotted_name(small.module) if small.module is not None else ""
        if small.relative:
            module_name = ""
        return [(a, module_name or "") for a in small.names]
    return None


def _names_gone(before: cst.Module, after: cst.Module, wanted: set[str]) -> set[str]:
    """The names of ``wanted`` that ``before`` reads and ``after`` does not.

    A statement both modules hold (the very node) reads the same in both: only the
    statements of one of them are walked, and those both hold only for the names
    still in question."""
    in_before = {id(statement) for statement in before.body}
    in_after = {id(statement) for statement in after.body}
    candidates: set[str] = set()
    for statement in before.body:
        if id(statement) not in in_after:
            candidates |= _statement_names(statement) & wanted
    for statement in after.body:
        if not candidates:
            break
        if id(statement) not in in_before:
            candidates -= _statement_names(statement)
    for statement in after.body:
        if not candidates:
            break
        if id(statement) in in_before:
            candidates -= _statement_names(statement)
    return candidates


def remove_imports_made_unused(before: cst.Module, after: cst.Module) -> cst.Module:
    """Drop TensorFlow/Keras import aliases that ``before`` read and ``after`` no
    longer reads (what a migration left behind); other imports are never touched."""
    removable = set()
    for statement in after.body:
        for alias, module_name in _aliases(statement) or ():
            local = _alias_local(alias)
            if module_name.startswith(_REMOVABLE_PREFIXES) and local is not None:
                removable.add(local)
    gone = _names_gone(before, after, removable) if removable else set()
    if not gone:
        return after

    def keep_alias(alias: cst.ImportAlias, module_name: str) -> bool:
        if not module_name.startswith(_REMOVABLE_PREFIXES):
            return True
        local = _alias_local(alias)
        return local is None or local not in gone

    body = []
    changed = False
    for statement in after.body:
        aliases = _aliases(statement)
        if aliases is not None:
            small = statement.body[0]
            kept = [a for a, module_name in aliases if keep_alias(a, module_name)]
            if len(kept) != len(aliases):
                changed = True
                if not kept:
                    continue  # the whole statement goes, its comments with it
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                small = small.with_changes(names=kept)
                if isinstance(small, cst.ImportFrom) and small.lpar is None:
                    small = small.with_changes(rpar=None)
                statement = statement.with_changes(body=[small])
        body.append(statement)
    return after.with_changes(body=body) if changed else after
