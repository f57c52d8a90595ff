"""MTF207 positional-add-weight: Keras 2 `add_weight(name, shape, ...)` calls."""

from __future__ import annotations

import libcst as cst

from migrate_tf.rules.base import Rule
from migrate_tf.shared.codegen import (
    LINE_LENGTH,
    code_of,
    keras_reference,
    parse_statements,
    render_call,
)
from migrate_tf.shared.initializers import Refusal, is_none
from migrate_tf.shared.layers import layer_base_kind, self_name
from migrate_tf.shared.names import is_attribute_of, is_name

#: Keras 2's `Layer.add_weight` parameters, in positional order (tf_keras 2.21).
KERAS2_PARAMETERS = tuple(
    "name shape dtype initializer regularizer trainable constraint use_resource "
    "synchronization aggregation".split()
)
#: Keras 2 keywords Keras 3 does not accept that can go when they ask for the default.
DROPPED_WHEN_DEFAULT = ("use_resource", "getter", "caching_device", "collections", "layout")
#: Keras 2 aggregation modes -> Keras 3's strings.
AGGREGATIONS = {
    "NONE": '"none"',
    "SUM": '"sum"',
    "MEAN": '"mean"',
    "ONLY_FIRST_REPLICA": '"only_first_replica"',
}
#: Keras 2 regularizer strings Keras 3 cannot interpret (measured: "l1_l2").
REGULARIZER_STRINGS = {"l1_l2": "regularizers.L1L2(l1=0.01, l2=0.01)"}


class PositionalAddWeight(Rule):
    """
    ## What it does
    Rewrites Keras 2 style calls of `self.add_weight(...)` (and its deprecated alias
    `self.add_variable(...)`) in a Keras layer, or in a `tf.Module` subclass that
    calls them, into keyword calls Keras 3 accepts. Positional arguments are named
    in Keras 2's order (`name, shape, dtype, initializer, regularizer, trainable,
    constraint`), and the Keras 2 keywords Keras 3 rejects are translated:
    `experimental_autocast=` becomes `autocast=`, a `tf.VariableAggregation` member
    becomes Keras 3's string (`"mean"`), `trainable=None` is dropped (Keras 2 read it
    as True), and `use_resource=True`, `partitioner=` (which Keras 2 ignored) and
    settings left at their default (`synchronization=tf.VariableSynchronization.AUTO`,
    `getter=None`, ...) are removed. The regularizer string `"l1_l2"` becomes
    `keras.regularizers.L1L2(l1=0.01, l2=0.01)`. Layout, comments and the other
    arguments stay as they are.

    ## Why is this bad?
    Keras 2's signature was `add_weight(name=None, shape=None, dtype=None,
    initializer=None, ...)`; Keras 3's is `add_weight(shape=None, initializer=None,
    dtype=None, ..., name=None)` and treats up to three positional arguments as
    shape, initializer and dtype. Measured on Keras 3.15: `self.add_weight("w", (3,))`
    raises `ValueError: name must be passed as a keyword argument`, four positional
    arguments raise `TypeError`, `use_resource=` and `experimental_autocast=` raise
    `TypeError`, `aggregation=tf.VariableAggregation.MEAN` raises `ValueError`, and
    `regularizer="l1_l2"` raises `ValueError`. Worst, `trainable=None`, which Keras 2
    read as True, makes a Keras 3 weight *non-trainable*, silently.

    ## Example
    ```python
    class Bias(keras.layers.Layer):
        def build(self, input_shape):
            self.b = self.add_weight("bias", (input_shape[-1],), tf.float32, "zeros")
    ```

    ## Use instead
    ```python
    class Bias(keras.layers.Layer):
        def build(self, input_shape):
            self.b = self.add_weight(
                name="bias", shape=(input_shape[-1],), dtype=tf.float32, initializer="zeros"
            )
    ```

    ## Fix safety
    Every argument reaches the parameter Keras 2 gave it, with the same value; Keras
    3 resolves initializer, regularizer and constraint strings to the same objects
    (measured for the built-in names). Variables keep their names, shapes, dtypes and
    trainable flags.

    ## When it refuses
    The call is left as it is, with a finding, when the first positional argument
    might be a shape rather than a name (Keras 3 code may pass `shape` first: a
    list, a tuple or a `shape` variable is taken to be one and left alone, a string
    or a `name` variable is a name; anything else is reported); when the call
    unpacks `*args` or `**kwargs`; or when it asks for something Keras 3 weights
    cannot be: `use_resource=False`, a `synchronization` other than `AUTO`, a custom
    `getter`, `caching_device`, `collections` or `layout`. Classes that are neither
    Keras layers nor `tf.Module` subclasses, and code under `# migrate-tf: ignore`,
    are left alone.

    ## References
    - Keras 3 `Layer.add_weight`: at most three positional arguments, never `name`.
    - tf_keras 2.21 `Layer.add_weight`: the Keras 2 signature and keywords.
    """

    CODE = "MTF207"
    NAME = "positional-add-weight"
    SUMMARY = (
        "Keras 2 style `add_weight(name, shape, ...)` calls fail under Keras 3; "
        "pass every argument by keyword."
    )
    TRIGGERS = ("add_weight", "add_variable")

    def __init__(self, context) -> None:
        super().__init__(context)
        #: per open class: whether its methods' `self.add_weight` calls are ours
        self._classes: list[bool] = []
        #: per open class: whether it is a Keras layer and a call in it was converted
        self._converted: list[list[bool]] = []
        #: per open function: the name `self` has there (None outside methods)
        self._selves: list[str | None] = []
        self._local_classes: dict[str, bool] = {}
        #: indentation of the statements being visited (for black's layout)
        self._statement_indents: list[int] = []

    # Traversal -------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        index = self.context.imports
        kind = layer_base_kind(node, index, self._local_classes)
        is_module = any(
            base.keyword is None
            and (
                index.is_api(base.value, "tf.Module")
                or (isinstance(base.value, cst.Name) and base.value.value in self._local_classes)
            )
            for base in node.bases
        )
        ours = (kind is not None or is_module) and not self.is_suppressed(node)
        if kind is not None or is_module:
            self._local_classes[node.name.value] = True
        self._classes.append(ours)
        self._converted.append([kind is not None, False])
        self._selves.append(None)
        return True

    def leave_ClassDef(self, original_node, updated_node):
        self._classes.pop()
        self._selves.pop()
        is_layer, converted = self._converted.pop()
        if is_layer and converted:
            name = original_node.name.value
            self.record(original_node, "layer-class", name, name)
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        enclosing = self._selves[-1] if self._selves else None
        directly_in_class = bool(self._classes) and self._selves[-1] is None and self._classes[-1]
        if directly_in_class:
            enclosing = self_name(node)
        self._selves.append(enclosing)
        return True

    def leave_FunctionDef(self, original_node, updated_node):
        self._selves.pop()
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        self_param = self._selves[-1] if self._selves else None
        func = original_node.func
        if self_param is None or not (
            is_attribute_of(func, self_param) and func.attr.value in ("add_weight", "add_variable")
        ):
            return updated_node
        try:
            plan = self._plan(original_node)
        except Refusal as refusal:
            self.report(
                original_node,
                f"`{code_of(original_node.func)}(...)` is a Keras 2 call that Keras 3 "
                f"rejects or reads differently; not converted: {refusal}",
            )
            return updated_node
        if plan is None:
            return updated_node
        self.changed = True
        self._converted[-1][1] = True
        return self._rewrite(original_node, updated_node, plan)

    # Deciding --------------------------------------------------------------------

    def _plan(self, call: cst.Call) -> list[tuple[str | None, str | None]] | None:
        """Per argument: (keyword it gets or None to drop it, new value source or None
        to keep the value); None when the call is already Keras 3's."""
        args = list(call.args)
        if any(arg.star for arg in args):
            if any(arg.keyword is None and not arg.star for arg in args) or any(
                arg.star == "*" for arg in args
            ):
                raise Refusal("it unpacks `*args` or `**kwargs`, whose meaning depends on the order")
            return None
        positional = [arg for arg in args if arg.keyword is None]
        keywords = {arg.keyword.value for arg in args if arg.keyword is not None}
        alias = call.func.attr.value == "add_variable"
        if positional and not self._first_is_name(positional[0].value, len(positional), keywords):
            return None
        if len(positional) > len(KERAS2_PARAMETERS):
            raise Refusal("it has more positional arguments than Keras 2 accepted")

        plan: list[tuple[str | None, str | None]] = []
        needed = alias or bool(positional)
        for position, arg in enumerate(args):
            keyword = KERAS2_PARAMETERS[position] if arg.keyword is None else arg.keyword.value
            new_keyword, new_value = self._translate(keyword, arg.value)
            if (new_keyword, new_value) != (keyword, None):
                needed = True
            plan.append((new_keyword, new_value))
        return plan if needed else None

    def _first_is_name(self, first: cst.BaseExpression, count: int, keywords: set[str]) -> bool:
        """True when the first positional argument is Keras 2's `name`; False when it is
        Keras 3's `shape` (the call works as it is); Refusal when it cannot be told."""
        if "name" in keywords:
            return False  # Keras 2 would have raised: this is Keras 3 code
        if "shape" in keywords or count > 3:
            return True  # Keras 3 would raise: this is Keras 2 code
        kind = _argument_kind(first)
        if kind == "name":
            return True
        if kind == "shape":
            return False
        raise Refusal(
            f"the first positional argument `{code_of(first)}` may be a name (Keras 2 "
            "reads `add_weight(name, shape, ...)`) or a shape (Keras 3 reads "
            "`add_weight(shape, initializer, dtype)`); pass it by keyword"
        )

    def _translate(self, keyword: str, value: cst.BaseExpression) -> tuple[str | None, str | None]:
        index = self.context.imports
        if keyword == "trainable" and is_none(value):
            return None, None  # Keras 2: None means True; Keras 3: None is falsy
        if keyword == "experimental_autocast":
            return "autocast", None
        if keyword == "partitioner":
            return None, None  # Keras 2 ignored it
        if keyword in DROPPED_WHEN_DEFAULT:
            if is_none(value) or (keyword == "use_resource" and is_name(value, "True")):
                return None, None
            raise Refusal(f"`{keyword}={code_of(value)}` has no Keras 3 equivalent")
        if keyword == "synchronization":
            canonical = index.canonical(value) or ""
            if is_none(value) or canonical.endswith("VariableSynchronization.AUTO"):
                return None, None
            raise Refusal(f"`synchronization={code_of(value)}` has no Keras 3 equivalent")
        if keyword == "aggregation":
            canonical = index.canonical(value) or ""
            head, _, member = canonical.rpartition(".")
            if head.endswith(("VariableAggregation", "VariableAggregationV2")):
                if member not in AGGREGATIONS:
                    raise Refusal(f"`aggregation={code_of(value)}` has no Keras 3 equivalent")
                return keyword, AGGREGATIONS[member]
        if keyword == "regularizer" and isinstance(value, cst.SimpleString):
            text = value.evaluated_value
            if isinstance(text, str) and text in REGULARIZER_STRINGS:
                return keyword, f"{keras_reference(self.context)}.{REGULARIZER_STRINGS[text]}"
        return keyword, None

    # Writing ---------------------------------------------------------------------

    def _rewrite(self, original: cst.Call, updated: cst.Call, plan) -> cst.Call:
        func = updated.func
        if func.attr.value == "add_variable":
            func = func.with_changes(attr=cst.Name("add_weight"))
        kept: list[cst.Arg] = []
        last_comma = updated.args[-1].comma if updated.args else cst.MaybeSentinel.DEFAULT
        for arg, (keyword, value) in zip(updated.args, plan):
            if keyword is None:
                continue
            changes: dict = {}
            if arg.keyword is None or arg.keyword.value != keyword:
                changes["keyword"] = cst.Name(keyword)
                changes["equal"] = cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                )
            if value is not None:
                changes["value"] = cst.parse_expression(value)
            kept.append(arg.with_changes(**changes) if changes else arg)
        if kept:
            kept[-1] = kept[-1].with_changes(comma=last_comma)
        new_call = updated.with_changes(func=func, args=kept)
        return self._fit_line(original, new_call)

    def _fit_line(self, original: cst.Call, new_call: cst.Call) -> cst.Call:
        """Black's layout for a call whose lines no longer fit once named (a call with
        comments inside keeps its layout)."""
        position = self.context.positions.get(original)
        if position is None or _has_comment(original):
            return new_call
        lines = self.context.source.splitlines()
        first = lines[position.start.line - 1]
        last = lines[position.end.line - 1]
        before, after = first[: position.start.column], last[position.end.column :]
        line_indent = len(first) - len(first.lstrip())
        block_indent = self._statement_indents[-1] if self._statement_indents else line_indent
        text_lines = code_of(new_call).splitlines()
        widths = [len(before) + len(text_lines[0])]
        widths += [block_indent + len(line) for line in text_lines[1:]]
        widths[-1] += len(after)
        if max(widths) <= LINE_LENGTH:
            return new_call
        arguments = [
            (arg.keyword.value if arg.keyword else None, code_of(arg.value))
            for arg in new_call.args
        ]
        rendered = render_call(
            before[line_indent:], code_of(new_call.func), arguments, indent=line_indent
        )
        expression = rendered[len(before) - line_indent :]
        # Continuation lines are relative to the statement's indentation.
        shift = " " * (line_indent - block_indent)
        expression = expression.replace("\n", "\n" + shift)
        statement = parse_statements(f"_ = {expression}\n")[0]
        return statement.body[0].value

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        position = self.context.positions.get(node)
        indent = 0
        if position is not None:
            line = self.context.source.splitlines()[position.start.line - 1]
            indent = len(line) - len(line.lstrip())
        self._statement_indents.append(indent)
        return True

    def leave_SimpleStatementLine(self, original_node, updated_node):
        self._statement_indents.pop()
        return updated_node


def _has_comment(node: cst.CSTNode) -> bool:
    """Whether a comment stands anywhere inside ``node``. Comments sit in whitespace,
    which `shared/walk.py` does not enter: LibCST's visitor does."""
    finder = _CommentFinder()
    node.visit(finder)
    return finder.found


class _CommentFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found = True


def _argument_kind(node: cst.BaseExpression) -> str | None:
    """``"name"``, ``"shape"`` or None (cannot tell) for a first positional argument."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return "name"
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        if isinstance(node.left, (cst.SimpleString, cst.ConcatenatedString)):
            return "name"
    if isinstance(node, cst.Call):
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "format"
            and isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString))
        ):
            return "name"
        if is_name(func, "str"):
            return "name"
        if is_name(func, "tuple") or is_name(func, "list"):
            return "shape"
    if isinstance(node, (cst.List, cst.Tuple, cst.Integer)):
        return "shape"
    word = None
    if isinstance(node, cst.Name):
        word = node.value
    elif isinstance(node, cst.Attribute):
        word = node.attr.value
    if word is not None:
        word = word.strip("_").lower()
        if word == "name" or word.endswith("_name"):
            return "name"
        if word == "shape" or word.endswith("_shape"):
            return "shape"
    return None
