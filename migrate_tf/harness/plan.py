"""From conversions and cases to jobs: what each worker process runs, per row.

A :class:`Unit` is one old file and where its new code is (the pipeline's output in a
temporary directory, or the NEW file of ``verify OLD NEW``), with the conversions that
migrating the old file produced. Every conversion becomes one :class:`Check` (a row)
per case: an *old job* for the worker that runs the old code (``tf1`` for
function-to-layer conversions, ``keras2`` for layer classes) and a *new job* for the
``keras3`` worker, or, when arguments are missing, no job and an ``unverified`` reason
with the lines to add to the cases file. Planning reads source code only: it never
imports or runs anything.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from typing import Any

from migrate_tf.harness.cases import (
    TRAINING_FLAGS,
    Case,
    CasesFinder,
    TensorSpec,
    encode_value,
    parse_tensor_spec,
    suggestion_lines,
    toml_value,
)
from migrate_tf.harness.inference import (
    Inference,
    Signature,
    class_method,
    module_class,
    module_function,
    signature_of,
)
from migrate_tf.rules.base import Conversion

#: Every case calls the old code and the new layer this many times (call k on inputs
#: drawn from RandomState(k)); the old code's later calls run with reuse=True.
CALLS = 2
#: Graph / global seed of the first build on both sides.
SEED = 1

OLD_SIDE = {"function-to-layer": "tf1", "layer-class": "keras2"}
NEW_SIDE = "keras3"


@dataclasses.dataclass
class Unit:
    """One old file, its new code and what migrating it converted."""

    display: str  # the path as the user named it (messages, reports)
    old_path: Path
    new_path: Path
    old_source: str
    conversions: list[Conversion]
    project_dir: Path | None = None
    #: the NEW file of ``verify OLD NEW`` (else the new code is the pipeline's output)
    explicit_new: bool = False
    #: where the old code is, as a module, when ``old_path`` is not one (a notebook's
    #: code cells, see migrate_tf.harness.notebook)
    old_module: Path | None = None


@dataclasses.dataclass
class Check:
    """One row: one conversion under one case."""

    unit: Unit
    conversion: Conversion
    case_number: int = 0
    old_job: dict | None = None
    new_job: dict | None = None
    #: what was inferred rather than given: (parameter, value, why)
    inferred_values: list[tuple[str, Any, str]] = dataclasses.field(default_factory=list)
    #: set when the check cannot run (a missing case, an unreadable definition)
    unverified: str | None = None
    #: lines to add to the cases file, and which file
    suggestion: list[str] = dataclasses.field(default_factory=list)
    suggestion_file: Path | None = None

    @property
    def inferred(self) -> list[str]:
        """One note per inferred argument."""
        return [f"{name} = {toml_value(value)} ({why})" for name, value, why in self.inferred_values]

    def suggestion_values(self, missing=()) -> list[tuple[str, Any, str]]:
        inferred = [(name, value, f"inferred: {why}") for name, value, why in self.inferred_values]
        return inferred + list(missing)

    @property
    def label(self) -> str:
        c = self.conversion
        arrow = c.old if c.old == c.new else f"{c.old} -> {c.new}"
        return arrow + (f" #{self.case_number}" if self.case_number else "")

    @property
    def location(self) -> str:
        where = getattr(self.conversion, "location", None)  # in a notebook: "cell 3:12"
        return f"{self.unit.display}:{where or self.conversion.line}"


class _Missing(Exception):
    def __init__(self, names: list[tuple[str, Any, str]]) -> None:
        super().__init__(", ".join(name for name, _, _ in names))
        self.names = names


# Modules ----------------------------------------------------------------------------


def module_identity(path: Path) -> tuple[str, Path]:
    """(dotted module name, the directory it is importable from) of a source file.

    ``proj/pkg/sub/mod.py`` with ``__init__.py`` in ``pkg`` and ``sub`` is
    ``pkg.sub.mod`` importable from ``proj``; a file outside packages is its stem.
    """
    path = path.resolve()
    parts = [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts), directory


def module_spec(unit: Unit, *, new: bool) -> dict:
    """Where a worker imports the old or new module of ``unit`` from."""
    name, root = module_identity(unit.old_path)
    sys_path = [str(unit.old_path.resolve().parent), str(root)]
    path = unit.new_path if new else (unit.old_module or unit.old_path)
    if unit.old_module is not None:
        name = unit.old_module.stem  # both sides: the module of a notebook's code cells
    if new and unit.explicit_new:
        name, new_root = module_identity(unit.new_path)
        sys_path = [str(unit.new_path.resolve().parent), str(new_root)]
    if unit.project_dir is not None:
        sys_path.append(str(unit.project_dir))
    deduplicated = list(dict.fromkeys(sys_path))
    return {"path": str(path.resolve()), "name": name, "sys_path": deduplicated}


# Planning -----------------------------------------------------------------------------


def plan_unit(unit: Unit, finder: CasesFinder) -> list[Check]:
    """The checks (rows) of one unit."""
    try:
        tree = ast.parse(unit.old_source)
    except SyntaxError as error:  # the pipeline parsed it; should not happen
        return [
            Check(unit, conversion, unverified=f"cannot read the old code: {error}")
            for conversion in unit.conversions
        ]
    inference = Inference(tree)
    checks = []
    for conversion in unit.conversions:
        cases = finder.lookup(conversion.old, unit.old_path)
        for case in cases or [None]:
            check = Check(unit, conversion, case_number=case.number if case else 0)
            check.suggestion_file = finder.suggestion_file(unit.old_path)
            try:
                if conversion.kind == "function-to-layer":
                    _plan_function(check, tree, inference, case)
                elif conversion.kind == "layer-class":
                    _plan_layer_class(check, tree, inference, case)
                else:
                    check.unverified = f"conversions of kind {conversion.kind!r} cannot be run yet"
            except _Missing as missing:
                names = ", ".join(name for name, _, _ in missing.names)
                check.unverified = f"needs a case for {names}"
                check.suggestion = suggestion_lines(
                    conversion.old, check.suggestion_values(missing.names)
                )
                check.old_job = check.new_job = None
            except _Unrunnable as problem:
                check.unverified = str(problem)
                check.old_job = check.new_job = None
            checks.append(check)
    return checks


class _Unrunnable(Exception):
    """The check cannot run for a reason a case cannot fix (or a bad case)."""


def _tensor_value(
    check: Check, inference: Inference, node: ast.AST, name: str, given: dict
) -> TensorSpec | None:
    if name in given:
        spec = parse_tensor_spec(given[name])
        if spec is None:
            raise _Unrunnable(
                f"the case gives `{name} = {given[name]!r}`, but `{name}` is a tensor input: "
                'write it as dtype[shape], e.g. "float32[2, 8]"'
            )
        return spec
    inferred = inference.tensor(node, name)
    if inferred is None:
        return None
    spec, why = inferred
    check.inferred_values.append((name, spec, why))
    return spec


def _check_case_keys(case: Case | None, known: set[str], target: str, var_keyword: bool) -> dict:
    if case is None:
        return {}
    unknown = sorted(set(case.values) - known)
    if unknown and not var_keyword:
        raise _Unrunnable(
            f"the case ({case.source}) gives {', '.join(f'`{k}`' for k in unknown)}, "
            f"which `{target}` does not take"
        )
    return dict(case.values)


def _plan_function(check: Check, tree: ast.Module, inference: Inference, case: Case | None) -> None:
    conversion = check.conversion
    function = module_function(tree, conversion.old)
    if function is None:
        raise _Unrunnable(f"`{conversion.old}` is not a module-level function of the old code")
    signature = signature_of(function)
    given = _check_case_keys(case, set(signature.names), conversion.old, signature.var_keyword)

    old_args: dict[str, Any] = {}
    new_init: dict[str, Any] = {}
    inputs: list[tuple[str, TensorSpec]] = []
    missing: list[tuple[str, Any, str]] = []
    call_args: dict[str, Any] = {}
    for param in signature.params:
        name = param.name
        first_input = bool(conversion.inputs) and name == conversion.inputs[0]
        if name in conversion.inputs and name in given and not first_input and (
            parse_tensor_spec(given[name]) is None
        ):
            # the rule made it a call argument; the case passes a plain value to both
            old_args[name] = call_args[name] = given[name]
            continue
        if name in conversion.inputs:
            spec = _tensor_value(check, inference, function, name, given)
            if spec is None:
                missing.append((name, TensorSpec("float32", (2, 8)), "a tensor: dtype[shape], your shape"))
            else:
                inputs.append((name, spec))
            continue
        if name in given:
            value = given[name]
        elif name in TRAINING_FLAGS:
            value = False
        elif param.has_default:
            continue
        elif name == conversion.scope_parameter:
            # any name will do, as long as both sides get it
            value = conversion.default_name or conversion.old
            check.inferred_values.append((name, value, "the scope: any name will do"))
        else:
            dimension = inference.dimension(function, name)
            if dimension is None or name not in conversion.constructor:
                missing.append((name, ..., _hint(name)))
                continue
            value, why = dimension
            check.inferred_values.append((name, value, why))
        old_args[name] = value
        if name == conversion.scope_parameter:
            new_init["name"] = value
        elif name in conversion.constructor:
            new_init[name] = value
        elif name in TRAINING_FLAGS:
            call_args["training"] = value  # a flag the rule moved to Keras' call(training=)
    if missing:
        raise _Missing(missing)
    order = [name for name, _ in inputs]
    specs = {name: str(spec) for name, spec in inputs}
    common = {"kind": conversion.kind, "calls": CALLS, "seed": SEED, "tensors": specs,
              "tensor_order": order}
    check.old_job = {
        **common,
        "side": OLD_SIDE[conversion.kind],
        "module": module_spec(check.unit, new=False),
        "function": conversion.old,
        "args": {k: encode_value(v) for k, v in old_args.items()},
    }
    check.new_job = {
        **common,
        "side": NEW_SIDE,
        "module": module_spec(check.unit, new=True),
        "class": conversion.new,
        "init": {k: encode_value(v) for k, v in new_init.items()},
        "call_first": order[0] if order else None,
        "call_args": {k: encode_value(v) for k, v in call_args.items()},
    }


def _hint(name: str) -> str:
    return "the value to call it with"


def _plan_layer_class(check: Check, tree: ast.Module, inference: Inference, case: Case | None) -> None:
    conversion = check.conversion
    classdef = module_class(tree, conversion.old)
    if classdef is None:
        raise _Unrunnable(f"`{conversion.old}` is not a module-level class of the old code")
    init_node = class_method(classdef, "__init__")
    call_node = class_method(classdef, "call")
    if call_node is None:
        raise _Unrunnable(f"`{conversion.old}` defines no `call` method of its own")
    init_sig = (
        signature_of(init_node, method=True)
        if init_node is not None
        else Signature(params=[], var_keyword=True)
    )
    call_sig = signature_of(call_node, method=True)
    if not call_sig.params:
        raise _Unrunnable(f"`{conversion.old}.call` takes no input")
    init_names, call_names = set(init_sig.names), set(call_sig.names)
    given = dict(case.values) if case else {}
    for key in given:
        if key in init_names and key in call_names:
            raise _Unrunnable(
                f"the case gives `{key}`, a parameter of both `__init__` and `call`; "
                "rename one of them or call the layer by hand"
            )
        if key not in init_names and key not in call_names and not init_sig.var_keyword:
            raise _Unrunnable(
                f"the case ({case.source}) gives `{key}`, which `{conversion.old}` does not take"
            )

    missing: list[tuple[str, Any, str]] = []
    init: dict[str, Any] = {}
    for param in init_sig.params:
        if param.name in given:
            init[param.name] = given[param.name]
        elif not param.has_default:
            dimension = inference.dimension(classdef, param.name)
            if dimension is None:
                missing.append((param.name, ..., _hint(param.name)))
            else:
                init[param.name] = dimension[0]
                check.inferred_values.append((param.name, dimension[0], dimension[1]))
    for key, value in given.items():
        if key not in init_names and key not in call_names:
            init[key] = value  # **kwargs of __init__ (name=, dtype=)

    first = call_sig.params[0].name
    inputs: list[tuple[str, TensorSpec]] = []
    call_args: dict[str, Any] = {}
    for index, param in enumerate(call_sig.params):
        name = param.name
        if index == 0 or (name in given and parse_tensor_spec(given[name]) is not None):
            spec = _tensor_value(check, inference, call_node, name, given)
            if spec is None:
                missing.append((name, TensorSpec("float32", (2, 8)), "a tensor: dtype[shape], your shape"))
            else:
                inputs.append((name, spec))
        elif name in given:
            call_args[name] = given[name]
        elif name in TRAINING_FLAGS:
            call_args[name] = False
        elif not param.has_default:
            missing.append((name, TensorSpec("float32", (2, 8)), "a call argument"))
    if missing:
        raise _Missing(missing)
    order = [name for name, _ in inputs]
    job = {
        "kind": conversion.kind,
        "calls": CALLS,
        "seed": SEED,
        "tensors": {name: str(spec) for name, spec in inputs},
        "tensor_order": order,
        "class": conversion.old,
        "init": {k: encode_value(v) for k, v in init.items()},
        "call_first": first,
        "call_args": {k: encode_value(v) for k, v in call_args.items()},
    }
    check.old_job = {**job, "side": OLD_SIDE[conversion.kind], "module": module_spec(check.unit, new=False)}
    check.new_job = {
        **job,
        "side": NEW_SIDE,
        "class": conversion.new,
        "module": module_spec(check.unit, new=True),
    }


__all__ = ["CALLS", "Check", "SEED", "Unit", "module_identity", "module_spec", "plan_unit"]
