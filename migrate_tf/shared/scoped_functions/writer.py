"""Writing: a :class:`LayerPlan` rendered as a Keras 3 layer class.

`__init__` stores the settings and creates sublayers; `build` creates the weights
(and the sublayers configured from input shapes); `call` is the function's body with
variables and settings read from `self`, sublayer calls, and TF1 ops spelled for TF2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dataclasses
import functools

import libcst as cst

from migrate_tf.shared.walk import find, find_once

from migrate_tf.shared.codegen import (
    code_of,
    expression,
    parse_statements,
    render_call,
    render_signature,
    string_literal,
)
from migrate_tf.shared.imports import ImportIndex, dotted_name
from migrate_tf.shared.initializers import (
    Refusal,
    bind_arguments,
    dtype_name,
    is_none,
    keras_initializer,
    weight_from_initial_value,
)
from migrate_tf.shared.layers import safe_attribute
from migrate_tf.shared.names import free_names, is_docstring, is_name, reads
from migrate_tf.shared.regularizers import keras_regularizer
from migrate_tf.shared.shapes import bound_names, lift_input_shapes, rename_locals
from migrate_tf.shared.tf1_api import tf2_spelling
from migrate_tf.shared.transformer import Transformer

from migrate_tf.shared.scoped_functions.model import (
    BUILTINS,
    VARIABLE_SCOPE_PARAMETERS,
    Container,
    LayerPlan,
    Sublayer,
    Weight,
    module_level_names,
)

if TYPE_CHECKING:
    from migrate_tf.shared.scoped_functions.planner import Planner




class ClassWriter:
    """Renders a conversion as a Keras 3 layer class."""

    def __init__(self, conversion: LayerPlan, context, planner: "Planner") -> None:
        self.conversion = conversion
        self.context = context
        self.index: ImportIndex = context.imports
        self.keras = self.index.keras_module_name() or "keras"
        self.planner_initializers = planner.initializer_names
        self.consulted = planner.consulted
        #: module-level initializers other code still uses: their Keras spelling
        #: is written inline instead of the name
        self.inlined_initializers = {
            name: planner.module_initializers[name][2] for name in planner.blocked
        }
        self._shape_locals_found: dict[str, cst.SimpleStatementLine] | None = None

    def _settle_attribute_names(self) -> None:
        """Sublayers and containers never take the attribute of a setting or a weight."""
        c = self.conversion
        taken = set(c.config_names) | {w.attribute for w in c.weights}
        for item in [*c.containers, *c.sublayers]:
            attribute = item.attribute
            if attribute in taken:
                attribute = safe_attribute(f"{attribute}_layer", taken)
            taken.add(attribute)
            if attribute != item.attribute:
                if isinstance(item, Container):
                    for weight in c.weights:
                        if weight.container == item.attribute:
                            weight.container = attribute
                item.attribute = attribute

    def write(self) -> cst.ClassDef:
        c = self.conversion
        self._settle_attribute_names()
        classdef = _layer_class(self.keras).with_changes(name=cst.Name(c.class_name))
        docstring = [s for s in c.body[:1] if is_docstring(s)]
        assert isinstance(classdef, cst.ClassDef)
        members: list[cst.BaseStatement] = list(docstring)
        self.deferred: list[tuple[Sublayer, list[tuple[str | None, str]], str]] = []
        members.append(self._init())
        if c.weights or self.deferred:
            members.append(self._build())
        members.append(self._call())
        members[0] = members[0].with_changes(leading_lines=[])
        for index in range(1, len(members)):
            members[index] = members[index].with_changes(
                leading_lines=[cst.EmptyLine(indent=False)]
            )
        for member in members:
            for call in find_once(member, cst.Call):  # new code: nothing else asks
                canonical = self.index.canonical(call.func) or ""
                if canonical.startswith(("tf1.layers.", "tf.layers.", "tf1.compat.v1.layers.")) or (
                    self.index.is_api(call.func, "tf.get_variable", "tf.variable_scope")
                ) or _names_tf1_variables(code_of(call.func)):
                    # Never hand out a class that would still create TF1 variables.
                    raise Refusal(
                        f"`{code_of(call.func)}` would be left in the layer unconverted"
                    )
        return classdef.with_changes(
            body=classdef.body.with_changes(body=members),
            leading_lines=c.function.leading_lines,
        )

    # __init__
    def _init(self) -> cst.FunctionDef:
        c = self.conversion
        default = string_literal(c.name_default) if c.name_default is not None else "None"
        signature = render_signature(
            "__init__",
            ["self", *_signature(c.config, c.function), f"name={default}", "**kwargs"],
            indent=4,
        )
        # The statements every class has (`super().__init__(...)`, `self.units = units`)
        # are parsed one by one, so that the parse of each is shared by every class of
        # the file (codegen.parse_statements): a lone editor action parsed the same
        # `super()` line once per class. They hold no line break, so they parse the
        # same at column 0 as inside the method.
        head = ["super().__init__(name=name, **kwargs)\n"]
        head += [f"self.{name} = {name}\n" for name in c.config_names]
        lines = []
        for container in c.containers:
            if container.indexed is not None:
                variable, range_text, scope_text = container.indexed
                lines.append(
                    f"    self.{container.attribute} = [{self.keras}.layers.Layer(name={scope_text}) "
                    f"for {variable} in {range_text}]"
                )
                continue
            lines.append(
                f"    self.{container.attribute} = {self.keras}.layers.Layer("
                f"name={string_literal(container.scope)})"
            )
        visible = set(c.config_names) | module_level_names(self.context.module) | {self.keras}
        shape_locals = set(self._shape_locals())
        for sublayer in c.sublayers:
            if sublayer.callee is not None:
                arguments = [
                    (key, code_of(value)) for key, value in sublayer.constructor_arguments
                ]
                class_name = sublayer.callee.class_name
            else:
                arguments = list(sublayer.keras_arguments)
                class_name = f"{self.keras}.layers.{sublayer.keras_class}"
            allowed = visible | ({sublayer.indexed[0]} if sublayer.indexed else set())
            checked = [text for _, text in arguments]
            if sublayer.indexed:
                checked += [sublayer.indexed[1], sublayer.indexed[2]]
            unknown = {
                name
                for text in checked
                for name in free_names(expression(text))
                if name not in allowed and name not in BUILTINS
            }
            if unknown and unknown <= shape_locals:
                # Configured from an input's shape: created in build, as Keras does.
                self.deferred.append((sublayer, arguments, class_name))
                continue
            if unknown:
                raise Refusal(
                    f"the layer `{sublayer.scope}` is configured with `{sorted(unknown)[0]}`, "
                    "which is only known when the function runs"
                )
            lines.append("    " + self._sublayer_creation(sublayer, arguments, class_name).replace("\n", "\n    "))
        body = [statement for text in head for statement in parse_statements(text)]
        if lines:
            # Written indented, as in the method (a user's expression may span lines):
            # parsed in a block of the method's indentation.
            body += _block_statements("\n".join(lines) + "\n")
        init = _method(signature)
        return init.with_changes(body=init.body.with_changes(body=body))

    def _sublayer_creation(self, sublayer: Sublayer, arguments, class_name: str) -> str:
        """`self.x = Cls(..., name="x")`, or a list of them for indexed scopes."""
        if sublayer.indexed:
            variable, range_text, scope_text = sublayer.indexed
            arguments = [*arguments, ("name", scope_text)]
            element = render_call("", class_name, arguments, indent=0)
            line = f"self.{sublayer.attribute} = [{element} for {variable} in {range_text}]"
            if 8 + len(line) > 88 and "\n" not in element:
                line = (
                    f"self.{sublayer.attribute} = [\n    {element}\n"
                    f"    for {variable} in {range_text}\n]"
                )
            return line
        arguments = [*arguments, ("name", string_literal(sublayer.scope))]
        return render_call(f"self.{sublayer.attribute} = ", class_name, arguments, indent=8)

    # build
    def _build(self) -> cst.FunctionDef:
        c = self.conversion
        originals = [param.name.value for param in c.tensors]
        shapes = {
            old: f"{new.rstrip('_') or new}_shape" for old, new in zip(originals, c.tensor_names)
        }
        if len(set(shapes.values())) != len(shapes):
            shapes = {old: f"{new}_shape" for old, new in zip(originals, c.tensor_names)}
        signature = ["self"]
        for param in c.tensors:
            default = "=None" if param.default is not None else ""
            signature.append(f"{shapes[param.name.value]}{default}")
        renames = {name: f"self.{name}" for name in c.config_names}
        forbidden = self._locals_of_body()
        self.prelude: list[cst.BaseStatement] = []
        self.prelude_names: set[str] = set()
        statements = []
        loops: dict[tuple[str, str], list[Weight]] = {}
        for weight in c.weights:
            if weight.indexed is not None:
                loops.setdefault(weight.indexed, []).append(weight)
                continue
            statements.append(self._add_weight(weight, shapes, renames, forbidden))
        for (variable, range_text), weights in loops.items():
            allowed = {k: v for k, v in forbidden.items() if k != variable}
            appends = [self._add_weight(w, shapes, renames, allowed) for w in weights]
            range_code = code_of(rename_locals(expression(range_text), renames, {}))
            loop = parse_statements(
                "".join(f"self.{w.attribute} = []\n" for w in weights)
                + f"for {variable} in {range_code}:\n    pass\n"
            )
            *empties, for_statement = loop
            for_statement = for_statement.with_changes(
                body=for_statement.body.with_changes(body=appends)
            )
            statements.extend([*empties, for_statement])
        definitions = self._shape_locals()
        for sublayer, arguments, class_name in self.deferred:
            moved_arguments = []
            for key, text in arguments:
                lifted = lift_input_shapes(expression(text), shapes)
                for name in free_names(lifted):
                    if name in definitions and name not in renames:
                        self._lift_local(name, shapes, renames, forbidden, definitions, set())
                allowed = {k: v for k, v in forbidden.items() if k not in self.prelude_names}
                if sublayer.indexed:
                    allowed.pop(sublayer.indexed[0], None)
                moved_arguments.append((key, code_of(rename_locals(lifted, renames, allowed))))
            if sublayer.indexed:
                variable, range_text, scope_text = sublayer.indexed
                range_code = code_of(
                    rename_locals(expression(range_text), renames, {})
                )
                sublayer = dataclasses.replace(sublayer, indexed=(variable, range_code, scope_text))
            statements.extend(
                parse_statements(self._sublayer_creation(sublayer, moved_arguments, class_name) + "\n")
            )
        build = _method(render_signature("build", signature, indent=4))
        return build.with_changes(body=build.body.with_changes(body=self.prelude + statements))

    def _shape_locals(self) -> dict[str, cst.SimpleStatementLine]:
        """Locals defined once by a plain assignment, possibly inside nested scopes:
        the ones a weight's shape may use (`n_in = x.get_shape()[-1].value`).

        Found once per class (the function's body does not change while the class is
        written; `__init__`, `build` and every weight ask); callers only read it."""
        if self._shape_locals_found is None:
            self._shape_locals_found = self._find_shape_locals()
        return self._shape_locals_found

    def _find_shape_locals(self) -> dict[str, cst.SimpleStatementLine]:
        counts: dict[str, int] = {}
        for statement in self.conversion.body:
            for target in find(statement, cst.AssignTarget, cst.AugAssign, cst.For):
                for name in bound_names(target.target):
                    counts[name] = counts.get(name, 0) + 1
        found: dict[str, cst.SimpleStatementLine] = {}
        self._collect_shape_locals(self.conversion.body, counts, found)
        return found

    def _collect_shape_locals(self, statements, counts, found) -> None:
        # A method, not a recursive closure: a closure that calls itself is a
        # reference cycle, which kept this writer (and the file's trees) alive until
        # the garbage collector's full pass.
        for statement in statements:
            if isinstance(statement, cst.With) and any(
                isinstance(item.item, cst.Call)
                and self.index.is_api(item.item.func, "tf.variable_scope")
                for item in statement.items
            ):
                self._collect_shape_locals(statement.body.body, counts, found)
                continue
            if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
                continue
            small = statement.body[0]
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                names = bound_names(small.targets[0].target)
                if names and all(counts.get(name) == 1 for name in names):
                    for name in names:
                        found[name] = statement

    def _lift_local(self, name, shapes, renames, forbidden, definitions, seen) -> None:
        """Copy the definition of the local ``name`` (and those it needs) into build."""
        if name in self.prelude_names:
            return
        if name in seen:
            raise Refusal(f"the local `{name}` is defined in terms of itself")
        seen = seen | {name}
        statement = definitions[name]
        assign = statement.body[0]
        value = lift_input_shapes(assign.value, shapes)
        for needed in find(value, cst.Name):
            if needed.value in definitions and needed.value not in renames:
                self._lift_local(needed.value, shapes, renames, forbidden, definitions, seen)
        allowed = {k: v for k, v in forbidden.items() if k not in self.prelude_names}
        value = rename_locals(value, renames, allowed)
        self.prelude.append(
            statement.with_changes(
                body=[assign.with_changes(value=value)],
                leading_lines=[line for line in statement.leading_lines if line.comment is not None],
            )
        )
        self.prelude_names.update(bound_names(assign.targets[0].target))

    def _locals_of_body(self) -> dict[str, str]:
        c = self.conversion
        described = {}
        for statement in c.body:
            for target in find(statement, cst.AssignTarget, cst.AugAssign, cst.For):
                node = target.target
                for name in bound_names(node):
                    described[name] = f"a local variable of `{c.function.name.value}`"
        return described

    def _add_weight(self, weight: Weight, shapes, renames, forbidden) -> cst.SimpleStatementLine:
        arguments = weight.arguments

        definitions = self._shape_locals()

        def moved(expression: cst.BaseExpression) -> cst.BaseExpression:
            lifted = lift_input_shapes(expression, shapes)
            for name in find(lifted, cst.Name):
                if name.value in definitions and name.value not in renames:
                    self._lift_local(name.value, shapes, renames, forbidden, definitions, set())
            allowed = {k: v for k, v in forbidden.items() if k not in self.prelude_names}
            return rename_locals(lifted, renames, allowed)

        if "initial_value" in arguments:
            return self._add_weight_from_initial_value(weight, moved)
        if "shape" not in arguments or is_none(arguments["shape"]):
            raise Refusal(f"`{weight.tf_name}` has no shape")
        call_arguments: list[tuple[str | None, str]] = [
            ("name", string_literal(weight.tf_name)),
            ("shape", code_of(moved(arguments["shape"]))),
        ]
        dtype = None
        if "dtype" in arguments and not is_none(arguments["dtype"]):
            dtype = dtype_name(arguments["dtype"], self.index)
        initializer = arguments.get("initializer")
        if (initializer is None or is_none(initializer)) and self.conversion.scope_initializer is not None:
            # The scope's `initializer=` is the default of every variable in it.
            initializer = self.conversion.scope_initializer
        if isinstance(initializer, cst.Name):
            self.consulted.add(initializer.value)  # inlined when blocked (see Planner.consulted)
        if initializer is None or is_none(initializer):
            # TF1's default for floats, as Keras 3's; ints and bools start at zero.
            floating = dtype is None or dtype.startswith(("float", "bfloat", "half"))
            initializer_text = '"glorot_uniform"' if floating else '"zeros"'
        elif isinstance(initializer, cst.Name) and initializer.value in self.inlined_initializers:
            initializer_text = self.inlined_initializers[initializer.value]
        else:
            shape_node = arguments["shape"]
            rank = (
                len(shape_node.elements) if isinstance(shape_node, (cst.List, cst.Tuple)) else None
            )
            initializer_text = keras_initializer(
                moved(initializer), self.index, self.keras, self.planner_initializers, rank
            )
        call_arguments.append(("initializer", initializer_text))
        if dtype is not None and dtype != "float32":
            call_arguments.append(("dtype", string_literal(dtype)))
        trainable = arguments.get("trainable")
        if trainable is not None and not is_none(trainable) and not is_name(trainable, "True"):
            call_arguments.append(("trainable", code_of(moved(trainable))))
        regularizer = arguments.get("regularizer")
        if regularizer is not None and not is_none(regularizer):
            call_arguments.append(
                ("regularizer", keras_regularizer(moved(regularizer), self.index, self.keras))
            )
        constraint = arguments.get("constraint")
        if constraint is not None and not is_none(constraint):
            call_arguments.append(("constraint", code_of(moved(constraint))))
        return self._weight_statement(weight, call_arguments)

    def _weight_statement(self, weight: Weight, call_arguments) -> cst.SimpleStatementLine:
        """`self.w = <owner>.add_weight(...)` (appended per iteration in loops)."""
        owner = f"self.{weight.container}" if weight.container else "self"
        if weight.indexed is not None:
            owner = f"{owner}[{weight.indexed[0]}]"
            text = render_call(
                f"self.{weight.attribute}.append(", f"{owner}.add_weight", call_arguments, indent=12
            ) + ")"
            if "\n" in text:
                inner = render_call("", f"{owner}.add_weight", call_arguments, indent=16)
                text = f"self.{weight.attribute}.append(\n" + "\n".join(
                    "    " + line for line in inner.splitlines()
                ) + "\n)"
        else:
            text = render_call(
                f"self.{weight.attribute} = ", f"{owner}.add_weight", call_arguments, indent=8
            )
        statement = parse_statements(text + "\n")[0]
        comments = [line for line in weight.statement.leading_lines if line.comment is not None]
        return statement.with_changes(
            leading_lines=comments, trailing_whitespace=weight.statement.trailing_whitespace
        )

    def _add_weight_from_initial_value(self, weight: Weight, moved) -> cst.SimpleStatementLine:
        """`w = tf.Variable(<initial value>, name="w")` as `add_weight`."""
        arguments = weight.arguments
        # Decided on the code as written, so that a refusal names the user's code.
        weight_from_initial_value(arguments["initial_value"], self.index, self.keras)
        initial = weight_from_initial_value(moved(arguments["initial_value"]), self.index, self.keras)
        dtype = initial.dtype
        if "dtype" in arguments and not is_none(arguments["dtype"]):
            dtype = dtype_name(arguments["dtype"], self.index)
            dtype = None if dtype == "float32" else dtype
        call_arguments: list[tuple[str | None, str]] = [
            ("name", string_literal(weight.tf_name)),
            ("shape", initial.shape),
            ("initializer", initial.initializer),
        ]
        if dtype is not None:
            call_arguments.append(("dtype", string_literal(dtype)))
        trainable = arguments.get("trainable")
        if trainable is not None and not is_none(trainable) and not is_name(trainable, "True"):
            call_arguments.append(("trainable", code_of(moved(trainable))))
        constraint = arguments.get("constraint")
        if constraint is not None and not is_none(constraint):
            call_arguments.append(("constraint", code_of(moved(constraint))))
        return self._weight_statement(weight, call_arguments)

    # call
    def _call(self) -> cst.FunctionDef:
        c = self.conversion
        inputs = [
            p.with_changes(name=cst.Name(c.input_renames[p.name.value]))
            if p.name.value in c.input_renames
            else p
            for p in c.tensors
        ]
        signature = ["self", *_signature(inputs, c.function, originals=c.tensors)]
        if c.training is not None:
            default = code_of(c.training.default) if c.training.default is not None else "None"
            signature.append(f"training={default}")
        call = _method(render_signature("call", signature, indent=4))
        body = [s for s in c.body if not is_docstring(s)]
        rewriter = CallBodyRewriter(c, self.index, self.keras)
        rewritten = []
        for statement in body:
            result = statement.visit(rewriter)
            if isinstance(result, cst.FlattenSentinel):
                rewritten.extend(result.nodes)
            elif not isinstance(result, cst.RemovalSentinel):
                rewritten.append(result)
        body = _without_dead_definitions(rewritten, getattr(self, "prelude_names", set()))
        if body:
            body[0] = body[0].with_changes(
                leading_lines=[line for line in body[0].leading_lines if line.comment is not None]
            )
        else:
            body = [cst.SimpleStatementLine(body=[cst.Pass()])]
        return call.with_changes(body=call.body.with_changes(body=body))


@functools.lru_cache(maxsize=64)
def _layer_class(keras: str) -> cst.ClassDef:
    """`class Layer(<keras>.layers.Layer): pass`, parsed once per spelling of Keras
    (nodes never change: every class is this one with its name and body replaced)."""
    classdef = parse_statements(f"class Layer({keras}.layers.Layer):\n    pass\n")[0]
    assert isinstance(classdef, cst.ClassDef)
    return classdef


@functools.lru_cache(maxsize=1024)
def _method(signature: str) -> cst.FunctionDef:
    """`<signature>: pass` parsed once per signature (`def call(self, x):` recurs)."""
    function = parse_statements(signature + "\n    pass\n")[0]
    assert isinstance(function, cst.FunctionDef)
    return function


def _block_statements(text: str) -> list[cst.BaseStatement]:
    """The statements of ``text``, written indented by four spaces, parsed inside a
    block of that indentation (as the body of a method parses them)."""
    block = parse_statements("if True:\n" + text)[0]
    assert isinstance(block, cst.If) and isinstance(block.body, cst.IndentedBlock)
    return list(block.body.body)


def _names_tf1_variables(func_source: str) -> bool:
    """Whether a callee, as written, looks like TF1's layers (`compat.v1.layers.`) or
    variable functions (`...get_variable`, `...variable_scope`), whatever the imports."""
    return "compat.v1.layers." in func_source or func_source.endswith(
        ("get_variable", "variable_scope")
    )


class CallBodyRewriter(Transformer):
    """Rewrites the function body into ``call``: variables and settings become
    attributes, calls of converted functions become sublayer calls, and (in TF1
    files) ops whose TF2 meaning changed are spelled ``tf.compat.v1``."""

    def __init__(self, conversion: LayerPlan, index: ImportIndex, keras: str) -> None:
        super().__init__()
        self.index = index
        self.keras = keras
        self.uses_name_scope = False
        self.renames = {
            weight.local: f"self.{weight.attribute}"
            + (f"[{weight.indexed[0]}]" if weight.indexed is not None else "")
            for weight in conversion.weights
        }
        self.weight_locals = {weight.local for weight in conversion.weights}
        self.numpy_names = _numpy_valued_names(conversion, index)
        self.renames.update({name: f"self.{name}" for name in conversion.config_names})
        if conversion.training is not None and conversion.training.name.value != "training":
            self.renames[conversion.training.name.value] = "training"
        self.renames.update(conversion.input_renames)
        self.sublayers = {
            id(call): sublayer for sublayer in conversion.sublayers for call in sublayer.calls
        }
        self.removed = {id(weight.statement) for weight in conversion.weights} | {
            id(statement) for statement in conversion.reuse_statements
        }

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if id(original_node) in self.removed:
            return cst.RemovalSentinel.REMOVE
        return updated_node

    def leave_BinaryOperation(self, original_node, updated_node):
        # Keras 3 variables do arithmetic through keras.ops type promotion: a float32
        # weight times a numpy float64 becomes float64 (TF1 kept float32). Reading
        # the weight's value keeps TensorFlow's rules.
        sides = (("left", original_node.left, original_node.right), ("right", original_node.right, original_node.left))
        changes = {}
        for field, side, other in sides:
            if (
                isinstance(side, cst.Name)
                and side.value in self.weight_locals
                and _is_numpy_valued(other, self.index, self.numpy_names)
            ):
                changes[field] = cst.Attribute(value=getattr(updated_node, field), attr=cst.Name("value"))
        return updated_node.with_changes(**changes) if changes else updated_node

    def leave_With(self, original_node: cst.With, updated_node: cst.With):
        item = original_node.items[0].item if len(original_node.items) == 1 else None
        if not (isinstance(item, cst.Call) and self.index.is_api(item.func, "tf.variable_scope")):
            return updated_node
        scope = bind_arguments(item, VARIABLE_SCOPE_PARAMETERS)["name_or_scope"]
        if any(id(call) in self.sublayers for call in find(original_node, cst.Call)):
            # Sublayers built under this name get it in their paths, as in TF1.
            self.uses_name_scope = True
            return updated_node.with_changes(
                items=[
                    updated_node.items[0].with_changes(
                        item=expression(
                            f"{self.keras}.name_scope({code_of(scope)})"
                        ),
                        asname=None,
                    )
                ]
            )
        body = list(updated_node.body.body)
        if not body:
            return cst.RemovalSentinel.REMOVE
        leading = [line for line in original_node.leading_lines if line.comment is not None]
        body[0] = body[0].with_changes(leading_lines=[*leading, *body[0].leading_lines])
        return cst.FlattenSentinel(body)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return False

    def leave_Attribute(self, original_node, updated_node):
        value = updated_node.value.visit(self)
        if updated_node.attr.value == "value" and _is_static_dimension(value):
            # TF1's Dimension objects are plain ints (or None) in TF2.
            return value
        return updated_node.with_changes(value=value)

    def visit_Arg(self, node: cst.Arg) -> bool:
        return False

    def leave_Arg(self, original_node, updated_node):
        return updated_node.with_changes(value=updated_node.value.visit(self))

    def leave_Name(self, original_node, updated_node):
        if original_node.value in self.renames:
            return expression(self.renames[original_node.value])
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        sublayer = self.sublayers.get(id(original_node))
        if sublayer is not None:
            arguments = []
            for key, value in sublayer.tensor_arguments[id(original_node)]:
                new_value = value.visit(self)
                arguments.append(
                    cst.Arg(value=new_value)
                    if key is None
                    else cst.Arg(
                        keyword=cst.Name(key),
                        value=new_value,
                        equal=cst.AssignEqual(
                            whitespace_before=cst.SimpleWhitespace(""),
                            whitespace_after=cst.SimpleWhitespace(""),
                        ),
                    )
                )
            for position in range(len(arguments) - 1):
                arguments[position] = arguments[position].with_changes(
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                )
            target = f"self.{sublayer.attribute}"
            if sublayer.indexed is not None:
                target += f"[{sublayer.indexed[0]}]"
            return cst.Call(func=expression(target), args=arguments)
        if self.index.tf1:
            qualified = self.index.qualified_name(original_node.func)
            if qualified is not None and qualified.startswith("tensorflow.") and not qualified.startswith(
                ("tensorflow.compat.", "tensorflow.keras")
            ):
                api = qualified[len("tensorflow.") :]
                keywords = [arg.keyword.value for arg in original_node.args if arg.keyword is not None]
                positional = sum(1 for arg in original_node.args if arg.keyword is None)
                if any(arg.star for arg in original_node.args):
                    positional = 99
                spelled = tf2_spelling(api, positional, keywords)
                if spelled != api:
                    head = dotted_name(original_node.func).split(".")[0]
                    return updated_node.with_changes(
                        func=expression(f"{head}.{spelled}")
                    )
        return updated_node



def _numpy_valued_names(conversion: LayerPlan, index: ImportIndex) -> set[str]:
    """Settings and locals whose value comes from numpy (`gain=np.sqrt(2.0)`)."""
    names = set()
    for param in conversion.config:
        if param.default is not None and _is_numpy_valued(param.default, index, names):
            names.add(param.name.value)
    for statement in conversion.body:
        for assign in find(statement, cst.Assign):
            if _is_numpy_valued(assign.value, index, names):
                for target in assign.targets:
                    names.update(bound_names(target.target))
    return names


def _is_numpy_valued(node: cst.BaseExpression, index: ImportIndex, names: set[str]) -> bool:
    for name in free_names(node):
        if name in names:
            return True
        if (index.bindings.get(name) or "").split(".")[0] == "numpy":
            return True
    return False

def _is_static_dimension(node: cst.BaseExpression) -> bool:
    """`x.shape[i]` or `x.get_shape()[i]`: a TF1 Dimension."""
    if not isinstance(node, cst.Subscript):
        return False
    base = node.value
    if isinstance(base, cst.Attribute) and base.attr.value == "shape":
        return True
    return (
        isinstance(base, cst.Call)
        and isinstance(base.func, cst.Attribute)
        and base.func.attr.value == "get_shape"
    )

def _param_text(param: cst.Param) -> str:
    text = param.name.value
    if param.annotation is not None:
        text += f": {code_of(param.annotation.annotation)}"
    if param.default is not None:
        separator = " = " if param.annotation is not None else "="
        text += f"{separator}{code_of(param.default)}"
    return text

def _without_dead_definitions(body: list, names: set[str]) -> list:
    """Drop assignments to ``names`` (moved to build) that nothing in ``body`` reads."""
    if not names:
        return body

    def read_by(statement, name) -> bool:
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if isinstance(small, cst.Assign):
                return reads(small.value, name)
        return reads(statement, name)

    def defines_only(statement) -> set[str]:
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                return set(bound_names(small.targets[0].target))
        return set()

    result = list(body)
    changed = True
    while changed:
        changed = False
        for statement in list(result):
            defined = defines_only(statement)
            if defined and defined <= names and not any(
                read_by(other, name) for other in result if other is not statement for name in defined
            ):
                result.remove(statement)
                changed = True
    return result

def _signature(
    params: list[cst.Param], function: cst.FunctionDef, originals: list[cst.Param] | None = None
) -> list[str]:
    """Parameter texts in their original order, keyword-only ones after a `*`.
    ``originals`` are the function's own parameters when ``params`` are renamed copies."""
    keyword_only = {id(p) for p in function.params.kwonly_params}
    pairs = list(zip(params, originals or params))
    positional = [_param_text(p) for p, original in pairs if id(original) not in keyword_only]
    named = [_param_text(p) for p, original in pairs if id(original) in keyword_only]
    return positional + (["*", *named] if named else [])
