"""A reproducible synthetic repository for the benchmark (``make bench``).

Mostly ordinary Python (utilities, data classes, services, tests, scripts, numeric
code, TF2/Keras code that has nothing to migrate), about 10% files with the patterns
migrate-tf converts (TF1 functions built on ``tf.variable_scope``/``tf.get_variable``
and ``tf.layers``, Keras-2-era layers holding raw ``tf.Variable`` attributes), and a few
large files. Everything comes from our own templates, varied by a seeded random
generator: names, sizes, nesting, import spellings, comments, docstrings.

``syntax="legacy"`` (the default) writes only syntax that Python 3.7 accepts, so the
same tree can be given to ``tf_upgrade_v2`` (its parser aborts the whole run on ``:=``
or a positional-only ``/``). ``syntax="modern"`` adds walrus operators, positional-only
parameters, ``f"{x=}"``, ``match`` statements, ``X | None`` hints and parenthesized
context managers.

    python benchmarks/synthetic.py OUT [--files 2000] [--seed 7] [--syntax legacy]

writes the tree under ``OUT`` and ``OUT.manifest.json`` beside it (which files carry
TF patterns; the benchmark's ratios are computed from it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field

NOUNS = (
    "account", "batch", "buffer", "cache", "channel", "chunk", "client", "config",
    "context", "cursor", "dataset", "entry", "event", "feature", "frame", "graph",
    "handler", "header", "index", "item", "job", "key", "label", "layer", "ledger",
    "manifest", "message", "metric", "model", "node", "order", "packet", "page",
    "partition", "path", "payload", "plan", "pool", "queue", "record", "region",
    "report", "request", "resource", "result", "route", "sample", "schema", "segment",
    "session", "shard", "signal", "snapshot", "source", "span", "state", "stream",
    "summary", "table", "task", "tensor", "token", "topic", "trace", "user", "value",
    "vector", "window", "worker", "audio", "image", "caption", "vocab", "checkpoint",
)
VERBS = (
    "build", "collect", "compute", "convert", "count", "decode", "encode", "extract",
    "fetch", "filter", "flush", "format", "gather", "group", "load", "merge",
    "normalize", "parse", "prepare", "process", "read", "reduce", "refresh", "render",
    "resolve", "sample", "save", "scan", "score", "select", "sort", "split", "store",
    "summarize", "sync", "transform", "update", "validate", "write", "apply",
)
ADJECTIVES = (
    "active", "base", "cached", "default", "dense", "dynamic", "empty", "fast",
    "global", "hidden", "inner", "last", "lazy", "local", "main", "max", "min",
    "nested", "next", "outer", "partial", "pending", "primary", "raw", "remote",
    "shared", "simple", "sparse", "static", "total", "valid",
)
AUTHORS = ("alice", "bob", "chen", "dana", "emeka", "farah", "gwen", "hiro", "ines", "jon")
STDLIB = (
    "collections", "functools", "itertools", "json", "logging", "math", "os", "re",
    "sys", "time", "pathlib", "dataclasses", "typing", "contextlib", "hashlib",
    "random", "string", "textwrap", "enum", "abc", "csv", "io", "shutil", "uuid",
)
TF_OPS_UNARY = ("tf.nn.relu", "tf.nn.tanh", "tf.nn.sigmoid", "tf.nn.elu", "tf.nn.softplus")
COMMENTS = (
    "keep this in sync with the serving code",
    "the order matters here",
    "cheap check first",
    "see the design doc",
    "this used to be a dict; keep the old keys working",
    "avoid recomputing on every call",
    "callers rely on the sorted order",
    "fall back to the slow path",
    "matches the behaviour of the old implementation",
    "not thread-safe; callers hold the lock",
    "units are milliseconds",
    "empty input is allowed",
)


def snake(*words: str) -> str:
    return "_".join(words)


def camel(*words: str) -> str:
    return "".join(word.capitalize() for word in words)


@dataclass
class GeneratedFile:
    path: str
    kind: str
    lines: int
    tf_pattern: bool


@dataclass
class Manifest:
    seed: int
    syntax: str
    files: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "seed": self.seed,
            "syntax": self.syntax,
            "files": [f.__dict__ for f in self.files],
        }


class Writer:
    """Lines of one module, with the current indentation."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.level = 0

    def line(self, text: str = "") -> None:
        self.lines.append(("    " * self.level + text) if text else "")

    def blank(self, count: int = 1) -> None:
        for _ in range(count):
            if self.lines and self.lines[-1] == "":
                if count == 1:
                    return
            self.lines.append("")

    def indent(self):
        writer = self

        class _Indent:
            def __enter__(self_inner):
                writer.level += 1

            def __exit__(self_inner, *exc):
                writer.level -= 1

        return _Indent()

    def __len__(self) -> int:
        return len(self.lines)

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


class Generator:
    def __init__(self, seed: int, syntax: str = "legacy") -> None:
        if syntax not in ("legacy", "modern"):
            raise ValueError("syntax is 'legacy' or 'modern'")
        self.rng = random.Random(seed)
        self.seed = seed
        self.modern = syntax == "modern"
        self.syntax = syntax

    # Small helpers ------------------------------------------------------------------

    def pick(self, options):
        return self.rng.choice(options)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def noun(self) -> str:
        return self.pick(NOUNS)

    def func_name(self) -> str:
        if self.chance(0.3):
            return snake(self.pick(VERBS), self.pick(ADJECTIVES), self.noun())
        return snake(self.pick(VERBS), self.noun())

    def class_name(self) -> str:
        suffix = self.pick(("", "Manager", "Store", "Builder", "Resolver", "Index", "Service", "Spec"))
        return camel(self.pick(ADJECTIVES), self.noun()) + suffix

    def var(self) -> str:
        if self.chance(0.4):
            return snake(self.pick(ADJECTIVES), self.noun())
        return self.noun()

    def comment(self, w: Writer) -> None:
        text = self.pick(COMMENTS)
        if self.chance(0.25):
            w.line(f"# TODO({self.pick(AUTHORS)}): {text}")
        elif self.chance(0.2):
            w.line(f"# NOTE: {text}.")
        else:
            w.line(f"# {text[0].upper()}{text[1:]}.")

    def hint(self, kind: str, optional: bool = False) -> str:
        base = {
            "int": "int",
            "str": "str",
            "float": "float",
            "list": self.pick(("List[str]", "List[int]", "Sequence[str]")),
            "dict": self.pick(("Dict[str, Any]", "Mapping[str, int]", "Dict[str, float]")),
            "bool": "bool",
        }[kind]
        if optional:
            return f"{base} | None" if self.modern else f"Optional[{base}]"
        return base

    def docstring(self, w: Writer, summary: str, params=(), returns: str | None = None) -> None:
        if not params and not returns or self.chance(0.4):
            w.line(f'"""{summary}"""')
            return
        w.line(f'"""{summary}')
        w.line("")
        if params:
            w.line("Args:")
            with w.indent():
                for name in params:
                    w.line(f"{name}: the {name.replace('_', ' ')} to use.")
        if returns:
            if params:
                w.line("")
            w.line("Returns:")
            with w.indent():
                w.line(returns)
        w.line('"""')

    # Ordinary statements --------------------------------------------------------------

    def expression(self, names) -> str:
        a = self.pick(names)
        b = self.pick(names)
        forms = (
            f"{a} + {b}",
            f"len({a})",
            f"[item for item in {a} if item]",
            f"{{key: value for key, value in {a}.items()}}",
            f"sorted({a}, key=lambda item: item[0])",
            f"{a} if {a} is not None else {b}",
            f"max({a}, {b})",
            f"str({a}).strip().lower()",
            f"sum(x * x for x in {a})",
            f"{a}[1:-1]",
            f"dict(zip({a}, {b}))",
            f"{a}.get('{self.noun()}', {self.rng.randint(0, 9)})",
            f"'{self.noun()}-%s' % ({a},)",
            f"'{{}}/{{}}'.format({a}, {b})",
            f"f'{{{a}}}:{{{b}}}'",
            f"any(x is None for x in {a})",
            f"set({a}) - set({b})",
            f"tuple(sorted(set({a})))",
        )
        expr = self.pick(forms)
        if self.modern and self.chance(0.08):
            expr = f"f'{{{a}=}}'"
        return expr

    def statements(self, w: Writer, names: list, depth: int, budget: int) -> None:
        """About ``budget`` lines of ordinary statements, nesting up to ``depth``."""
        start = len(w)
        while len(w) - start < budget:
            roll = self.rng.random()
            if roll < 0.07:
                self.comment(w)
            if roll < 0.35 or depth <= 0:
                target = self.var()
                w.line(f"{target} = {self.expression(names)}")
                names.append(target)
            elif roll < 0.5:
                cond = self.pick(names)
                w.line(f"if {cond}:" if self.chance(0.5) else f"if not {cond} or len({cond}) > {self.rng.randint(1, 64)}:")
                with w.indent():
                    self.statements(w, list(names), depth - 1, self.rng.randint(1, 4))
                if self.chance(0.3):
                    w.line(f"elif {self.pick(names)} is None:")
                    with w.indent():
                        w.line(f"{self.var()} = {self.expression(names)}")
                if self.chance(0.4):
                    w.line("else:")
                    with w.indent():
                        self.statements(w, list(names), depth - 1, self.rng.randint(1, 3))
            elif roll < 0.63:
                item = self.noun()
                source = self.pick(names)
                if self.chance(0.4):
                    w.line(f"for index, {item} in enumerate({source}):")
                else:
                    w.line(f"for {item} in {source}:")
                with w.indent():
                    self.statements(w, list(names) + [item], depth - 1, self.rng.randint(1, 5))
            elif roll < 0.72:
                w.line("try:")
                with w.indent():
                    self.statements(w, list(names), depth - 1, self.rng.randint(1, 3))
                exc = self.pick(("KeyError", "ValueError", "(TypeError, ValueError)", "OSError", "Exception"))
                if self.chance(0.5):
                    w.line(f"except {exc} as error:")
                    with w.indent():
                        w.line(f"logger.warning('could not {self.pick(VERBS)} %s: %s', {self.pick(names)}, error)")
                        if self.chance(0.5):
                            w.line("raise")
                else:
                    w.line(f"except {exc}:")
                    with w.indent():
                        w.line("pass" if self.chance(0.3) else f"{self.var()} = None")
                if self.chance(0.2):
                    w.line("finally:")
                    with w.indent():
                        w.line(f"logger.debug('done with %r', {self.pick(names)})")
            elif roll < 0.78:
                handle = self.pick(("handle", "fh", "stream"))
                if self.modern and self.chance(0.3):
                    w.line("with (")
                    with w.indent():
                        w.line(f"open({self.pick(names)}) as {handle},")
                        w.line("contextlib.suppress(KeyError),")
                    w.line("):")
                else:
                    w.line(f"with open({self.pick(names)}, encoding='utf-8') as {handle}:")
                with w.indent():
                    w.line(f"{self.var()} = [line.rstrip('\\n') for line in {handle}]")
            elif roll < 0.84 and self.modern:
                if self.chance(0.5):
                    w.line(f"while (chunk := {self.pick(names)}.read({self.pick((512, 4096, 65536))})):")
                    with w.indent():
                        w.line(f"{self.var()} = len(chunk)")
                else:
                    w.line(f"match {self.pick(names)}:")
                    with w.indent():
                        w.line("case {'kind': kind, **rest}:")
                        with w.indent():
                            w.line(f"{self.var()} = (kind, rest)")
                        w.line("case [first, *others]:")
                        with w.indent():
                            w.line(f"{self.var()} = first")
                        w.line("case _:")
                        with w.indent():
                            w.line("pass")
            elif roll < 0.9:
                w.line(f"{self.var()} = [")
                with w.indent():
                    for _ in range(self.rng.randint(2, 6)):
                        w.line(f"{self.expression(names)},")
                w.line("]")
            else:
                w.line(f"logger.info('{self.pick(VERBS)}ed %d {self.noun()}s', len({self.pick(names)}))")

    def params(self, count: int, typed: bool) -> tuple[str, list]:
        names = []
        parts = []
        first_default = self.rng.randint(count // 2, count) if self.chance(0.6) else count
        for index in range(count):
            name = self.var()
            while name in names:
                name = name + "_" + str(index)
            names.append(name)
            kind = self.pick(("int", "str", "list", "dict", "bool", "float"))
            default = None
            if index >= first_default:
                default = {"int": str(self.rng.randint(0, 100)), "str": repr(self.noun()),
                           "list": "None", "dict": "None", "bool": self.pick(("True", "False")),
                           "float": str(self.rng.choice((0.5, 1.0, 1e-3, 0.9)))}[kind]
            if typed:
                text = f"{name}: {self.hint(kind, optional=default == 'None')}"
                text += f" = {default}" if default is not None else ""
            else:
                text = name + (f"={default}" if default is not None else "")
            parts.append(text)
        if count >= 3 and self.chance(0.2):
            parts.insert(count - 1, "*")
        if self.modern and count >= 2 and self.chance(0.15) and "*" not in parts:
            # positional-only parameters: tf_upgrade_v2 cannot parse these
            parts.insert(1, "/")
        return ", ".join(parts), names

    def function(self, w: Writer, method: bool = False, budget: int | None = None) -> None:
        typed = self.chance(0.55)
        params, names = self.params(self.rng.randint(0 if method else 1, 5), typed)
        if method:
            params = "self, " + params if params else "self"
        decorators = []
        if method and self.chance(0.12):
            decorators.append(self.pick(("@property", "@functools.lru_cache(maxsize=None)", "@staticmethod", "@classmethod")))
            if decorators[0] == "@property":
                params, names = "self", []
            elif decorators[0] == "@staticmethod":
                params = params.replace("self, ", "").replace("self", "")
            elif decorators[0] == "@classmethod":
                params = params.replace("self", "cls", 1)
        elif not method and self.chance(0.15):
            decorators.append(self.pick(("@functools.lru_cache(maxsize=128)", "@contextlib.contextmanager", "@retry(times=3)", "@timed")))
        for decorator in decorators:
            w.line(decorator)
        name = self.func_name()
        if method and self.chance(0.2):
            name = "_" + name
        returns = f" -> {self.hint(self.pick(('int', 'str', 'list', 'dict', 'bool')))}" if typed and self.chance(0.7) else ""
        prefix = "async def" if self.chance(0.04) else "def"
        w.line(f"{prefix} {name}({params}){returns}:")
        with w.indent():
            if self.chance(0.7):
                self.docstring(w, f"{self.pick(VERBS).capitalize()} the {self.noun()}s of a {self.noun()}.",
                               names if self.chance(0.5) else (), "The result." if self.chance(0.5) else None)
            names = names + (["self." + self.noun()] if method else []) or [self.noun() + "s"]
            if not names:
                names = ["self." + self.noun()]
            self.statements(w, list(names), self.rng.randint(1, 4), budget or self.rng.randint(3, 18))
            w.line(f"return {self.expression(names)}" if self.chance(0.8) else "return None")

    def plain_class(self, w: Writer) -> None:
        name = self.class_name()
        base = self.pick(("", "", "(object)", "(Base)", "(abc.ABC)", "(Exception)", "(collections.abc.Mapping)"))
        if base == "(Base)":
            w.line("class Base(object):")
            with w.indent():
                w.line('"""Shared behaviour."""')
            w.blank(2)
        if self.chance(0.2):
            w.line(self.pick(("@functools.total_ordering", "@register", "@six.add_metaclass(abc.ABCMeta)")))
        w.line(f"class {name}{base}:")
        with w.indent():
            self.docstring(w, f"A {self.pick(ADJECTIVES)} {self.noun()} with its {self.noun()}s.")
            if self.chance(0.4):
                w.blank()
                for _ in range(self.rng.randint(1, 4)):
                    w.line(f"{self.var().upper()} = {self.rng.randint(1, 1000)}")
            w.blank()
            params, names = self.params(self.rng.randint(1, 4), self.chance(0.5))
            w.line(f"def __init__(self, {params}):")
            with w.indent():
                for attr in names:
                    w.line(f"self.{attr} = {attr}")
                if self.chance(0.5):
                    w.line(f"self._{self.noun()}s = {self.pick(('{}', '[]', 'collections.OrderedDict()', 'set()', 'None'))}")
            for _ in range(self.rng.randint(1, 6)):
                w.blank()
                self.function(w, method=True)
            if self.chance(0.4):
                w.blank()
                w.line("def __repr__(self):")
                with w.indent():
                    fields = ", ".join(f"{n}=%r" for n in names)
                    w.line(f"return '{name}({fields})' % ({', '.join('self.' + n for n in names)},)")

    def dataclass_block(self, w: Writer) -> None:
        frozen = self.chance(0.4)
        w.line("@dataclasses.dataclass(frozen=True)" if frozen else "@dataclasses.dataclass")
        w.line(f"class {self.class_name()}:")
        with w.indent():
            w.line(f'"""One {self.noun()} as stored in the {self.noun()} table."""')
            w.blank()
            fields = []
            required, defaulted = [], []
            for _ in range(self.rng.randint(2, 9)):
                name = self.var()
                if name in fields:
                    continue
                fields.append(name)
                kind = self.pick(("int", "str", "float", "bool", "list", "dict"))
                if kind in ("list", "dict") and self.chance(0.6):
                    defaulted.append(f"{name}: {self.hint(kind)} = dataclasses.field(default_factory={kind})")
                elif kind in ("int", "bool") and self.chance(0.3):
                    defaulted.append(f"{name}: {self.hint(kind)} = {self.pick(('0', 'False', '1'))}")
                else:
                    required.append(f"{name}: {self.hint(kind)}")
            for text in required + defaulted:
                w.line(text)
            w.blank()
            w.line("def to_dict(self):")
            with w.indent():
                w.line("return {")
                with w.indent():
                    for name in fields:
                        w.line(f"'{name}': self.{name},")
                w.line("}")

    def enum_block(self, w: Writer) -> None:
        w.line(f"class {camel(self.noun(), 'kind')}(enum.Enum):")
        with w.indent():
            used = set()
            for index in range(self.rng.randint(3, 8)):
                member = self.noun().upper()
                if member in used:
                    continue
                used.add(member)
                w.line(f"{member} = {index if self.chance(0.5) else repr(member.lower())}")

    def decorator_block(self, w: Writer) -> None:
        name = self.pick(("retry", "timed", "register", "logged"))
        w.line(f"def {name}_{self.noun()}(function):")
        with w.indent():
            w.line('"""Wrap ``function`` and log how long each call takes."""')
            w.blank()
            w.line("@functools.wraps(function)")
            w.line("def wrapper(*args, **kwargs):")
            with w.indent():
                w.line("started = time.perf_counter()")
                w.line("try:")
                with w.indent():
                    w.line("return function(*args, **kwargs)")
                w.line("finally:")
                with w.indent():
                    w.line("logger.debug('%s took %.3fs', function.__name__, time.perf_counter() - started)")
            w.blank()
            w.line("return wrapper")

    def constants_block(self, w: Writer, size: int) -> None:
        name = f"{self.pick(ADJECTIVES).upper()}_{self.noun().upper()}S"
        w.line(f"{name} = {{")
        with w.indent():
            for _ in range(size):
                value = self.pick((
                    str(self.rng.randint(0, 10 ** 6)),
                    repr(self.noun()),
                    f"({self.rng.random():.4f}, {self.rng.random():.4f})",
                    f"[{', '.join(repr(self.noun()) for _ in range(3))}]",
                ))
                w.line(f"'{self.noun()}_{self.rng.randint(0, 9999)}': {value},")
        w.line("}")

    def imports(self, w: Writer, extra=(), typed: bool = True) -> None:
        if self.chance(0.3):
            w.line("from __future__ import annotations" if self.modern else "from __future__ import absolute_import")
            w.blank()
        modules = sorted(set(self.rng.sample(STDLIB, self.rng.randint(3, 8))) | {"logging", "functools", "time", "dataclasses", "enum", "contextlib"})
        for module in modules:
            if module == "collections":
                w.line("import collections")
                w.line("import collections.abc")
            else:
                w.line(f"import {module}")
        if typed:
            w.line("from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence")
        for line in extra:
            w.line(line)
        if self.chance(0.25):
            w.blank()
            w.line(f"from {self.noun()}_lib import {self.func_name()}, {self.class_name()}")
        w.blank()
        w.line("logger = logging.getLogger(__name__)")

    # Ordinary modules -----------------------------------------------------------------

    def ordinary_module(self, target: int, kind: str) -> str:
        w = Writer()
        summary = f"{self.pick(VERBS).capitalize()} and {self.pick(VERBS)} {self.noun()}s for the {self.noun()} service."
        if self.chance(0.5):
            w.line(f'"""{summary}')
            w.line("")
            w.line(f"The {self.noun()}s come from the {self.noun()} store; see ``{self.func_name()}``.")
            w.line('"""')
        else:
            w.line(f'"""{summary}"""')
        w.blank()
        extra = ["import numpy as np"] if kind == "numeric" else []
        if kind == "test":
            extra = ["import pytest", "", f"from {self.noun()}_lib import {self.class_name()}"]
        if kind == "script":
            extra = ["import argparse"]
        self.imports(w, extra)
        w.blank(2)
        if self.chance(0.5):
            for _ in range(self.rng.randint(1, 5)):
                w.line(f"{self.var().upper()} = {self.pick((str(self.rng.randint(1, 4096)), repr(self.noun()), 'None', '()'))}")
            w.blank(2)
        while len(w) < target:
            roll = self.rng.random()
            if kind == "test":
                self.test_block(w)
            elif kind == "data" and roll < 0.5:
                self.dataclass_block(w)
            elif kind == "constants":
                self.constants_block(w, self.rng.randint(10, 80))
            elif kind == "numeric" and roll < 0.5:
                self.numeric_function(w)
            elif kind == "tf2" and roll < 0.6:
                self.tf2_block(w)
            elif roll < 0.45:
                self.function(w)
            elif roll < 0.75:
                self.plain_class(w)
            elif roll < 0.85:
                self.dataclass_block(w)
            elif roll < 0.9:
                self.enum_block(w)
            else:
                self.decorator_block(w)
            w.blank(2)
        if kind == "script":
            self.main_block(w)
        return w.text()

    def test_block(self, w: Writer) -> None:
        if self.chance(0.3):
            w.line("@pytest.fixture")
            w.line(f"def {self.noun()}_{self.noun()}(tmp_path):")
            with w.indent():
                w.line(f"path = tmp_path / '{self.noun()}.json'")
                w.line("path.write_text(json.dumps({'items': [1, 2, 3]}))")
                w.line("return path")
            return
        if self.chance(0.3):
            w.line("@pytest.mark.parametrize(")
            with w.indent():
                w.line("'value, expected',")
                w.line("[")
                with w.indent():
                    for _ in range(self.rng.randint(2, 6)):
                        w.line(f"({self.rng.randint(0, 99)}, {self.rng.randint(0, 99)}),")
                w.line("],")
            w.line(")")
            w.line(f"def test_{self.func_name()}(value, expected):")
        else:
            w.line(f"def test_{self.func_name()}():")
        with w.indent():
            if self.chance(0.4):
                w.line(f'"""{self.pick(VERBS).capitalize()} keeps the {self.noun()}s in order."""')
            names = ["value", "expected"] if "value" in w.lines[-1] or "value" in w.lines[-2] else [self.noun() + "s"]
            self.statements(w, list(names), 2, self.rng.randint(2, 8))
            w.line(f"assert {self.expression(names)}")
            if self.chance(0.3):
                w.line("with pytest.raises(ValueError):")
                with w.indent():
                    w.line(f"{self.func_name()}(None)")

    def numeric_function(self, w: Writer) -> None:
        name = self.func_name()
        w.line(f"def {name}(values, axis=0, eps=1e-{self.rng.randint(3, 9)}):")
        with w.indent():
            w.line(f'"""{self.pick(VERBS).capitalize()} ``values`` along ``axis`` (numpy arrays)."""')
            w.line("values = np.asarray(values, dtype=np.float64)")
            for _ in range(self.rng.randint(2, 8)):
                op = self.pick((
                    "values - values.mean(axis=axis, keepdims=True)",
                    "values / (np.linalg.norm(values, axis=axis, keepdims=True) + eps)",
                    "np.clip(values, -1.0, 1.0)",
                    "np.cumsum(values, axis=axis)",
                    "values[..., ::-1]",
                    "np.where(values > 0, values, eps * values)",
                    "np.einsum('ij,jk->ik', values, values.T) if values.ndim == 2 else values",
                ))
                w.line(f"values = {op}")
            w.line("return values")

    def tf2_block(self, w: Writer) -> None:
        """TF2/Keras code with nothing to migrate (no TF1 scopes, no raw variables)."""
        roll = self.rng.random()
        if roll < 0.4:
            w.line(f"def make_{self.noun()}_dataset(files, batch_size={self.pick((16, 32, 64, 128))}, training=True):")
            with w.indent():
                w.line('"""A tf.data pipeline over TFRecord files."""')
                w.line("dataset = tf.data.TFRecordDataset(files)")
                w.line("if training:")
                with w.indent():
                    w.line(f"dataset = dataset.shuffle({self.pick((1000, 10000))})")
                w.line("dataset = dataset.map(lambda record: tf.io.parse_single_example(record, FEATURES),")
                w.line("                      num_parallel_calls=tf.data.AUTOTUNE)")
                w.line("return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)")
        elif roll < 0.75:
            units = self.rng.randint(2, 6)
            w.line(f"def build_{self.noun()}_model(input_dim, num_classes={self.rng.randint(2, 100)}):")
            with w.indent():
                w.line("inputs = keras.Input(shape=(input_dim,))")
                w.line("x = inputs")
                for _ in range(units):
                    w.line(f"x = keras.layers.Dense({self.pick((64, 128, 256, 512))}, activation='{self.pick(('relu', 'gelu', 'tanh'))}')(x)")
                    if self.chance(0.4):
                        w.line(f"x = keras.layers.Dropout({self.pick((0.1, 0.2, 0.5))})(x)")
                w.line("outputs = keras.layers.Dense(num_classes)(x)")
                w.line(f"return keras.Model(inputs, outputs, name='{self.noun()}')")
        else:
            w.line("@tf.function")
            w.line(f"def train_step(model, optimizer, features, labels):")
            with w.indent():
                w.line("with tf.GradientTape() as tape:")
                with w.indent():
                    w.line("logits = model(features, training=True)")
                    w.line("loss = tf.reduce_mean(")
                    w.line("    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))")
                w.line("grads = tape.gradient(loss, model.trainable_weights)")
                w.line("optimizer.apply_gradients(zip(grads, model.trainable_weights))")
                w.line("return loss")

    def main_block(self, w: Writer) -> None:
        w.line("def main(argv=None):")
        with w.indent():
            w.line("parser = argparse.ArgumentParser(description=__doc__)")
            for _ in range(self.rng.randint(2, 6)):
                flag = self.noun().replace("_", "-")
                w.line(f"parser.add_argument('--{flag}', default={self.pick(('None', '0', repr(self.noun())))}, help='the {flag} to use')")
            w.line("args = parser.parse_args(argv)")
            w.line("logging.basicConfig(level=logging.INFO)")
            w.line("return 0")
        w.blank(2)
        w.line("if __name__ == '__main__':")
        with w.indent():
            w.line("sys.exit(main())")

    # TF1 graph code (MTF101) -----------------------------------------------------------

    def tf1_module(self, target: int) -> str:
        w = Writer()
        w.line(f'"""{self.pick(("Graph-mode", "TF1-style", "Legacy"))} {self.noun()} {self.pick(("model", "network", "encoder", "tower"))} built with variable scopes."""')
        w.blank()
        spelling = self.pick((
            "import tensorflow as tf",
            "import tensorflow as tf",
            "import tensorflow as tf",
            "import tensorflow.compat.v1 as tf",
            "from tensorflow.compat import v1 as tf",
        ))
        if self.chance(0.4):
            w.line("import numpy as np")
        if self.chance(0.3):
            w.line("import math")
        w.line(spelling)
        w.blank(2)
        shared_init = None
        if self.chance(0.3):
            shared_init = "weight_init"
            w.line(f"weight_init = tf.truncated_normal_initializer(stddev={self.pick(('0.02', '0.01', '0.1'))})")
            w.blank(2)
        helpers: list[tuple[str, str]] = []  # (function name, kind)
        while len(w) < target:
            roll = self.rng.random()
            if not helpers or roll < 0.35:
                helpers.append(self.tf1_primitive(w, shared_init))
            elif roll < 0.55:
                helpers.append(self.tf1_tf_layers(w))
            elif roll < 0.8:
                helpers.append(self.tf1_composite(w, helpers))
            elif roll < 0.9:
                self.tf1_training_code(w, helpers)
            else:
                self.function(w, budget=self.rng.randint(3, 10))
            w.blank(2)
        return w.text()

    def tf1_initializer(self, shared: str | None) -> str:
        if shared and self.chance(0.5):
            return shared
        return self.pick((
            f"tf.truncated_normal_initializer(stddev={self.pick(('0.02', '0.05', '0.1'))})",
            f"tf.random_normal_initializer(stddev={self.pick(('0.01', '0.02'))})",
            "tf.random_normal_initializer()",
            "tf.glorot_uniform_initializer()",
            "tf.variance_scaling_initializer()",
            f"tf.random_uniform_initializer(-{self.pick(('0.05', '0.1'))}, {self.pick(('0.05', '0.1'))})",
        ))

    def tf1_primitive(self, w: Writer, shared: str | None) -> tuple[str, str]:
        kind = self.pick(("linear", "linear", "conv1d", "norm", "embedding", "bias_scale"))
        name = self.pick({
            "linear": ("linear", "dense", "fully_connected", "projection", "fc"),
            "conv1d": ("conv1d", "temporal_conv", "conv_1d"),
            "norm": ("layer_norm", "norm", "ln"),
            "embedding": ("embedding", "embed", "token_embedding"),
            "bias_scale": ("scale_shift", "affine", "bias_scale"),
        }[kind]) + self.pick(("", "", "", "_" + self.noun()))
        scope_default = name.split("_")[0] if self.chance(0.5) else name
        dim_src = self.pick(("x.get_shape()[-1].value", "x.shape[-1].value", "int(x.get_shape()[-1])", "x.get_shape().as_list()[-1]"))
        if kind == "linear":
            units = self.pick(("units", "n_out", "output_size", "num_outputs"))
            w.line(f'def {name}(x, {units}, scope="{scope_default}", use_bias=True):')
            with w.indent():
                if self.chance(0.5):
                    w.line(f'"""x @ W + b, with W of shape [input dims, {units}]."""')
                w.line(f"with tf.variable_scope(scope):")
                with w.indent():
                    w.line(f"n_in = {dim_src}")
                    w.line(f'w = tf.get_variable("{self.pick(("w", "kernel", "weights"))}", [n_in, {units}],')
                    w.line(f"                    initializer={self.tf1_initializer(shared)})")
                    w.line("y = tf.matmul(x, w)")
                    bias = f'b = tf.get_variable("{self.pick(("b", "bias", "biases"))}", [{units}], initializer=tf.zeros_initializer())'
                    if self.chance(0.3):
                        # an optional bias: MTF101 refuses variables created conditionally
                        w.line("if use_bias:")
                        with w.indent():
                            w.line(bias)
                            w.line("y = y + b")
                    else:
                        w.line(bias)
                        w.line("y = y + b")
                    w.line("return y")
        elif kind == "conv1d":
            w.line(f'def {name}(x, filters, width={self.pick((1, 3, 5))}, scope="{scope_default}"):')
            with w.indent():
                w.line("with tf.variable_scope(scope):")
                with w.indent():
                    w.line(f"in_channels = {dim_src}")
                    w.line("kernel = tf.get_variable(")
                    w.line(f'    "kernel", [width, in_channels, filters], initializer={self.tf1_initializer(shared)}')
                    w.line(")")
                    w.line('bias = tf.get_variable("bias", [filters], initializer=tf.constant_initializer(0.0))')
                    w.line('y = tf.nn.conv1d(x, kernel, stride=1, padding="SAME") + bias')
                    w.line(f"return {self.pick(TF_OPS_UNARY)}(y)" if self.chance(0.5) else "return y")
        elif kind == "norm":
            w.line(f'def {name}(x, scope="{scope_default}", epsilon=1e-{self.pick((5, 6, 8))}):')
            with w.indent():
                w.line("with tf.variable_scope(scope):")
                with w.indent():
                    w.line(f"n_state = {dim_src}")
                    w.line('g = tf.get_variable("g", [n_state], initializer=tf.constant_initializer(1))')
                    w.line('b = tf.get_variable("b", [n_state], initializer=tf.constant_initializer(0))')
                    w.line("u = tf.reduce_mean(x, axis=-1, keepdims=True)")
                    w.line("s = tf.reduce_mean(tf.square(x - u), axis=-1, keepdims=True)")
                    w.line("x = (x - u) * tf.rsqrt(s + epsilon)")
                    w.line("return x * g + b")
        elif kind == "embedding":
            w.line(f'def {name}(ids, vocab_size, dim, scope="{scope_default}"):')
            with w.indent():
                w.line("with tf.variable_scope(scope):")
                with w.indent():
                    w.line("table = tf.get_variable(")
                    w.line(f'    "table", [vocab_size, dim], initializer={self.tf1_initializer(shared)}')
                    w.line(")")
                    w.line("return tf.nn.embedding_lookup(table, ids)")
        else:
            w.line(f'def {name}(x, scope="{scope_default}"):')
            with w.indent():
                w.line("with tf.variable_scope(scope):")
                with w.indent():
                    w.line(f"channels = {dim_src}")
                    w.line('scale = tf.get_variable("scale", [channels], initializer=tf.ones_initializer())')
                    w.line('shift = tf.get_variable("shift", [channels], initializer=tf.zeros_initializer())')
                    w.line("return x * scale + shift")
        return name, kind

    def tf1_tf_layers(self, w: Writer) -> tuple[str, str]:
        name = self.pick(("conv_bn_relu", "dense_block", "discriminator", "encoder_stack", "classifier_head", "mlp_head")) + self.pick(("", "_" + self.noun()))
        kind = self.pick(("conv", "dense"))
        w.line(f'def {name}(x, is_training, scope="{name.split("_")[0]}", reuse=False):')
        with w.indent():
            if self.chance(0.5):
                w.line(f'"""{self.pick(("ResNet-style", "DCGAN-style", "Plain"))} block from tf.layers."""')
            w.line("with tf.variable_scope(scope, reuse=reuse):")
            with w.indent():
                for index in range(self.rng.randint(1, 4)):
                    if kind == "conv":
                        w.line(f"x = tf.layers.conv2d(x, {self.pick((16, 32, 64, 128))}, {self.pick((1, 3, 5))}, strides={self.pick((1, 2))}, padding=\"same\",")
                        w.line(f"                     use_bias=False, name=\"conv{index + 1}\")")
                        if self.chance(0.6):
                            w.line(f"x = tf.layers.batch_normalization(x, momentum=0.99, training=is_training, name=\"bn{index + 1}\")")
                        w.line(f"x = {self.pick(TF_OPS_UNARY)}(x)")
                    else:
                        w.line(f"x = tf.layers.dense(x, {self.pick((64, 128, 256, 512))}, activation=tf.nn.relu, name=\"fc{index + 1}\")")
                        if self.chance(0.5):
                            w.line(f"x = tf.layers.dropout(x, rate={self.pick((0.1, 0.3, 0.5))}, training=is_training)")
                if kind == "conv" and self.chance(0.5):
                    w.line("x = tf.layers.flatten(x)")
                    w.line('x = tf.layers.dense(x, 1, name="logits")')
                w.line("return x")
        return name, "tf_layers"

    def tf1_composite(self, w: Writer, helpers) -> tuple[str, str]:
        name = self.pick(("block", "residual_block", "tower", "encoder", "decoder", "network", "stack")) + self.pick(("", "", "_" + self.noun()))
        usable = [h for h in helpers if h[1] in ("linear", "norm", "conv1d", "bias_scale")]
        if not usable:
            return self.tf1_primitive(w, None)
        loop = self.chance(0.4)
        w.line(f'def {name}(x, n_layers={self.rng.randint(2, 6)}, scope="{name.split("_")[0]}"):' if loop else f'def {name}(x, hidden={self.pick((64, 128, 256))}, scope="{name.split("_")[0]}"):')
        with w.indent():
            if self.chance(0.5):
                w.line(f'"""{self.pick(("Stacked", "Nested", "Residual"))} {self.noun()} blocks in nested scopes."""')
            w.line("with tf.variable_scope(scope):")
            with w.indent():
                def call(helper, arg):
                    hname, hkind = helper
                    if hkind == "linear":
                        return f"{hname}(x, {arg})"
                    if hkind == "conv1d":
                        return f"{hname}(x, {arg})"
                    return f"{hname}(x)"

                if loop and self.chance(0.6):
                    # the helper gets an indexed scope name (GPT-2's h0, h1, ...)
                    pattern = self.pick(('"layer_%d" % i', '"h%d" % i', '"block{}".format(i)'))
                    helper = self.pick(usable)
                    hname, hkind = helper
                    w.line("for i in range(n_layers):")
                    with w.indent():
                        if hkind in ("linear", "conv1d"):
                            w.line(f"x = {hname}(x, x.get_shape()[-1].value, scope={pattern})")
                        else:
                            w.line(f"x = {hname}(x, scope={pattern})")
                elif loop:
                    pattern = self.pick(('"layer_%d" % i', '"h%d" % i', '"block{}".format(i)', 'f"layer{i}"'))
                    w.line("for i in range(n_layers):")
                    with w.indent():
                        w.line(f"with tf.variable_scope({pattern}):")
                        with w.indent():
                            for helper in self.rng.sample(usable, min(len(usable), self.rng.randint(1, 3))):
                                inner = call(helper, "x.get_shape()[-1].value" if helper[1] in ("linear", "conv1d") else "")
                                w.line(f"x = x + {inner}" if self.chance(0.4) else f"x = {self.pick(TF_OPS_UNARY)}({inner})")
                else:
                    for helper in self.rng.sample(usable, min(len(usable), self.rng.randint(1, 3))):
                        hname, hkind = helper
                        if hkind in ("linear", "conv1d"):
                            w.line(f'x = {hname}(x, hidden, scope="{self.noun()}")')
                        else:
                            w.line(f'x = {hname}(x, scope="{self.noun()}")')
                w.line("return x")
        return name, "composite"

    def tf1_training_code(self, w: Writer, helpers) -> None:
        model = helpers[-1][0]
        w.line(f"def build_{self.noun()}_graph(batch_size={self.pick((16, 32, 64))}, input_dim={self.pick((32, 64, 128))}, learning_rate=1e-3):")
        with w.indent():
            w.line('"""Placeholders, loss and train op (left as they are: not a layer)."""')
            w.line('inputs = tf.placeholder(tf.float32, [batch_size, input_dim], name="inputs")')
            w.line('labels = tf.placeholder(tf.int64, [batch_size], name="labels")')
            w.line(f"logits = {model}(inputs" + (", True)" if helpers[-1][1] == "tf_layers" else ")"))
            w.line("loss = tf.reduce_mean(")
            w.line("    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))")
            w.line("global_step = tf.train.get_or_create_global_step()")
            w.line("train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)")
            w.line("return inputs, labels, loss, train_op")

    # Keras 2 layers (MTF201) -------------------------------------------------------------

    def keras2_module(self, target: int) -> str:
        w = Writer()
        w.line(f'"""Custom Keras layers for the {self.noun()} {self.pick(("model", "ranker", "tagger", "encoder"))}."""')
        w.blank()
        spelling = self.pick(("tf.keras", "keras_from_tf", "layer_import", "layers_module"))
        w.line("import tensorflow as tf")
        base = "tf.keras.layers.Layer"
        model_base = "tf.keras.Model"
        if spelling == "keras_from_tf":
            w.line("from tensorflow import keras")
            base, model_base = "keras.layers.Layer", "keras.Model"
        elif spelling == "layer_import":
            w.line("from tensorflow.keras.layers import Layer")
            base = "Layer"
        elif spelling == "layers_module":
            w.line("from tensorflow.keras import layers")
            base = "layers.Layer"
        w.blank(2)
        classes = []
        while len(w) < target:
            if classes and self.chance(0.12):
                self.keras_model(w, model_base, classes)
            elif self.chance(0.12):
                self.function(w, budget=self.rng.randint(3, 10))
            else:
                classes.append(self.keras_layer(w, base))
            w.blank(2)
        return w.text()

    def keras_initial_value(self, shape: str) -> str:
        return self.pick((
            f"tf.zeros({shape})",
            f"tf.ones({shape})",
            f"tf.random.normal({shape}, stddev={self.pick(('0.02', '0.05', '1.0'))})",
            f"tf.random.truncated_normal({shape}, stddev=0.02)",
            f"tf.random.uniform({shape}, -0.05, 0.05)",
            f"tf.random_normal_initializer()(shape={shape})",
            f"tf.keras.initializers.GlorotUniform()(shape={shape})",
            f"tf.zeros_initializer()(shape={shape})",
        ))

    def keras_layer(self, w: Writer, base: str) -> str:
        name = camel(self.pick(ADJECTIVES), self.noun()) + self.pick(("", "Layer", "Block", "Projection", "Gate"))
        units = self.pick(("units", "dim", "channels", "num_units"))
        where = self.pick(("init", "init", "build", "both"))
        w.line(f"class {name}({base}):")
        with w.indent():
            w.line(f'"""{self.pick(("Learned", "Gated", "Scaled", "Simple"))} {self.noun()} {self.pick(("projection", "gate", "scale", "mixer"))}."""')
            w.blank()
            w.line(f"def __init__(self, {units}, activation=None, **kwargs):")
            with w.indent():
                w.line(f"super({name}, self).__init__(**kwargs)" if self.chance(0.3) else "super().__init__(**kwargs)")
                w.line(f"self.{units} = {units}")
                w.line("self.activation = tf.keras.activations.get(activation)")
                if where in ("init", "both"):
                    if self.chance(0.3):
                        self.comment(w)
                    w.line(f"self.scale = tf.Variable({self.keras_initial_value(f'[{units}]')}, name=\"scale\")")
                    if self.chance(0.5):
                        w.line(f"self.offset = tf.Variable(tf.zeros([{units}]), name=\"offset\")")
                    if self.chance(0.2):
                        w.line("self.step = tf.Variable(0, trainable=False, dtype=tf.int64)")
            w.blank()
            if where in ("build", "both"):
                w.line("def build(self, input_shape):")
                with w.indent():
                    w.line("self.kernel = tf.Variable(")
                    w.line(f"    {self.keras_initial_value(f'[input_shape[-1], self.{units}]')},")
                    w.line('    name="kernel",')
                    w.line(")")
                    if self.chance(0.5):
                        w.line(f'self.bias = tf.Variable(tf.zeros([self.{units}]), name="bias")')
                    if self.chance(0.3):
                        w.line("super().build(input_shape)")
                w.blank()
            w.line("def call(self, inputs, training=None):")
            with w.indent():
                body = "inputs"
                if where in ("build", "both"):
                    w.line("outputs = tf.matmul(inputs, self.kernel)")
                    if "self.bias" in "\n".join(w.lines[-8:]):
                        w.line("outputs = outputs + self.bias")
                    body = "outputs"
                if where in ("init", "both"):
                    w.line(f"{body if body != 'inputs' else 'outputs'} = {body} * self.scale")
                    body = "outputs"
                    if "self.offset" in "\n".join(w.lines[-20:]):
                        w.line("outputs = outputs + self.offset")
                if self.chance(0.3):
                    w.line("if training:")
                    with w.indent():
                        w.line(f"outputs = tf.nn.dropout({body}, rate=0.1)")
                    body = "outputs"
                w.line(f"return self.activation({body})")
            if self.chance(0.6):
                w.blank()
                w.line("def get_config(self):")
                with w.indent():
                    w.line("config = super().get_config()")
                    w.line(f'config.update({{"{units}": self.{units}}})')
                    w.line("return config")
        return name

    def keras_model(self, w: Writer, model_base: str, classes) -> None:
        name = camel(self.noun(), "model")
        chosen = self.rng.sample(classes, min(len(classes), self.rng.randint(1, 3)))
        w.line(f"class {name}({model_base}):")
        with w.indent():
            w.line(f"def __init__(self, num_classes={self.rng.randint(2, 50)}, **kwargs):")
            with w.indent():
                w.line("super().__init__(**kwargs)")
                for index, cls in enumerate(chosen):
                    w.line(f"self.block{index} = {cls}({self.pick((32, 64, 128))}, activation='relu')")
                w.line("self.head = tf.keras.layers.Dense(num_classes)")
            w.blank()
            w.line("def call(self, inputs, training=False):")
            with w.indent():
                w.line("x = inputs")
                for index in range(len(chosen)):
                    w.line(f"x = self.block{index}(x, training=training)")
                w.line("return self.head(x)")

    def tf_mixed_module(self, target: int) -> str:
        """TF1 helpers and Keras 2 layers side by side (a half-migrated module)."""
        first = self.tf1_module(target // 2)
        second = self.keras2_module(target // 2)
        body = second.split("\n", 1)[1]
        body = body.replace("import tensorflow as tf\n", "", 1)
        return first.rstrip("\n") + "\n\n\n" + body.lstrip("\n")

    def false_positive_module(self, target: int) -> str:
        """Ordinary code whose comments or strings mention a trigger word (no TF code)."""
        text = self.ordinary_module(target, "util")
        mention = self.pick((
            "# Variable names follow the upstream schema.\n",
            "# Settings come from environment Variables (see deploy/README).\n",
            "# NOTE: the old exporter's variable_scope handling is gone; nothing to do here.\n",
            'USAGE = "Set the environment Variable DATA_HOME to the data directory."\n',
        ))
        marker = "logger = logging.getLogger(__name__)\n"
        return text.replace(marker, mention + marker, 1)

    # Files ------------------------------------------------------------------------------

    def size(self) -> int:
        # Log-normal around 100 lines, clipped: median ~ 110, mean ~ 150.
        return int(min(900, max(12, self.rng.lognormvariate(4.6, 0.75))))

    def module(self, kind: str, target: int) -> str:
        if kind == "tf1":
            return self.tf1_module(target)
        if kind == "keras2":
            return self.keras2_module(target)
        if kind == "tf_mixed":
            return self.tf_mixed_module(target)
        if kind == "false_positive":
            return self.false_positive_module(target)
        if kind == "tf2":
            text = self.ordinary_module(target, "tf2")
            return text.replace("import logging\n", "import logging\n\nimport tensorflow as tf\nfrom tensorflow import keras\n\nFEATURES = {}\n", 1)
        return self.ordinary_module(target, kind)


ORDINARY_KINDS = (
    ("util", 30), ("data", 12), ("service", 12), ("test", 15), ("script", 5),
    ("numeric", 8), ("tf2", 6), ("constants", 3), ("false_positive", 1),
)
TF_KINDS = (("tf1", 5), ("keras2", 4), ("tf_mixed", 1))
TF_SHARE = 0.10
#: (relative path, kind, lines): the few large files of a real repository.
LARGE_FILES = (
    ("legacy/model_zoo.py", "tf1", 4200),
    ("legacy/keras_layers_lib.py", "keras2", 2600),
    ("core/helpers_all.py", "util", 5200),
    ("core/generated_tables.py", "constants", 4000),
    ("tests/test_everything.py", "test", 3000),
)


def _weighted(rng: random.Random, table):
    total = sum(weight for _, weight in table)
    roll = rng.uniform(0, total)
    for kind, weight in table:
        roll -= weight
        if roll <= 0:
            return kind
    return table[-1][0]


def generate_tree(root: str, files: int = 2000, seed: int = 7, syntax: str = "legacy") -> Manifest:
    """Write ``files`` Python files under ``root`` (which must not exist)."""
    gen = Generator(seed, syntax)
    rng = gen.rng
    os.makedirs(root)
    manifest = Manifest(seed=seed, syntax=syntax)
    packages = []
    for _ in range(max(3, files // 90)):
        package = snake(gen.noun(), gen.pick(("lib", "core", "utils", "models", "io", "service", "ops", "data")))
        if package not in packages:
            packages.append(package)
    directories = []
    for package in packages:
        directories.append(package)
        for _ in range(rng.randint(1, 4)):
            sub = f"{package}/{gen.noun()}"
            if sub not in directories:
                directories.append(sub)
        if rng.random() < 0.5:
            directories.append(f"{package}/tests")
    used: set[str] = set()

    def write(relative: str, kind: str, text: str) -> None:
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        manifest.files.append(GeneratedFile(
            path=relative, kind=kind, lines=text.count("\n"),
            tf_pattern=kind in ("tf1", "keras2", "tf_mixed"),
        ))
        used.add(relative)

    large = [entry for entry in LARGE_FILES][: max(1, min(len(LARGE_FILES), files // 400))]
    for relative, kind, lines in large:
        write(relative, kind, gen.module(kind, lines))
    for directory in directories:
        write(f"{directory}/__init__.py", "init", f'"""The {directory.replace("/", ".")} package."""\n' if rng.random() < 0.6 else "")
    remaining = files - len(used)
    tf_count = round(files * TF_SHARE) - sum(1 for _, k, _ in large if k in ("tf1", "keras2"))
    kinds = [_weighted(rng, TF_KINDS) for _ in range(max(0, tf_count))]
    kinds += [_weighted(rng, ORDINARY_KINDS) for _ in range(max(0, remaining - len(kinds)))]
    rng.shuffle(kinds)
    for kind in kinds:
        directory = gen.pick(directories)
        if kind == "test":
            directory = gen.pick([d for d in directories if d.endswith("tests")] or directories)
        if kind == "script":
            directory = "scripts"
        stem = gen.func_name() if kind != "test" else "test_" + gen.noun()
        relative = f"{directory}/{stem}.py"
        suffix = 2
        while relative in used:
            relative = f"{directory}/{stem}_{suffix}.py"
            suffix += 1
        write(relative, kind, gen.module(kind, gen.size()))
    with open(os.path.join(root, ".gitignore"), "w") as handle:
        handle.write("__pycache__/\n*.pyc\n/build/\n/dist/\n.venv/\n*.egg-info/\n.ipynb_checkpoints/\n")
    manifest.files.sort(key=lambda f: f.path)
    return manifest


def single_tf1_file(lines: int, seed: int = 11) -> str:
    """One TF1 module of about ``lines`` lines (the editor benchmarks' input)."""
    gen = Generator(seed, "legacy")
    return gen.tf1_module(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--syntax", choices=("legacy", "modern"), default="legacy")
    parser.add_argument("--git", action="store_true", help="make the tree a git work tree")
    args = parser.parse_args(argv)
    manifest = generate_tree(args.out, args.files, args.seed, args.syntax)
    if args.git:
        subprocess.run(["git", "init", "-q", args.out], check=True)
    with open(args.out.rstrip("/") + ".manifest.json", "w") as handle:
        json.dump(manifest.to_json(), handle, indent=1)
    total = sum(f.lines for f in manifest.files)
    tf_files = sum(1 for f in manifest.files if f.tf_pattern)
    print(f"{len(manifest.files)} files, {total} lines, {tf_files} with TF patterns", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
