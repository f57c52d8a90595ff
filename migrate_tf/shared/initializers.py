"""Mapping TensorFlow initial values and initializers to Keras 3 initializers.

Two questions, asked by every rule that creates a weight:

* :func:`keras_initializer` -- an initializer *object* (``tf.zeros_initializer()``,
  ``tf.compat.v1.random_normal_initializer(stddev=s)``, ``keras.initializers.X()``, a
  string) -> the Keras 3 initializer expression with the same distribution.
* :func:`weight_from_initial_value` -- an initial *value* (``tf.zeros([3])``,
  ``tf.random.normal([4, n])``, ``0.0``, ``[[1, 2]]``) -> shape, initializer, dtype.

TensorFlow's defaults are kept explicit where Keras 3's differ (measured on TF 2.21 /
Keras 3.15): TF1 ``random_normal_initializer`` and ``truncated_normal_initializer``
and ``tf.random.normal`` draw with stddev 1.0, Keras ``RandomNormal`` with 0.05; TF1
``random_uniform_initializer`` and ``tf.random.uniform`` draw from [0, 1), Keras
``RandomUniform`` from [-0.05, 0.05). TF2's ``tf.random_normal_initializer`` already
defaults to 0.05. Anything that cannot be mapped exactly raises :class:`Refusal`:
a finding, never a guess.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from migrate_tf.shared.codegen import code_of
from migrate_tf.shared.imports import ImportIndex
from migrate_tf.shared.names import is_name


#: `tf.Variable`'s parameters, in order.
TF_VARIABLE_PARAMETERS = (
    "initial_value",
    "trainable",
    "validate_shape",
    "caching_device",
    "name",
    "variable_def",
    "dtype",
    "import_scope",
    "constraint",
    "synchronization",
    "aggregation",
    "shape",
    "experimental_enable_variable_lifting",
)
#: `tf.Variable` arguments `add_weight` has no equivalent for.
TF_VARIABLE_UNSUPPORTED = (
    "caching_device",
    "variable_def",
    "import_scope",
    "synchronization",
    "aggregation",
    "shape",
)


class Refusal(Exception):
    """The construct cannot be converted with certainty; the message says why."""

    def detached(self) -> "Refusal":
        """This refusal without the traceback and the exceptions it was raised with.

        A refusal kept after its ``except`` block (in a table of results, a list of
        problems) would hold, through its traceback, the frame that caught it, whose
        locals hold the refusal: a reference cycle that keeps the file's syntax trees
        alive until the garbage collector's full pass, and makes every such pass walk
        them (measured: a fifth of a TF file's migration time). Only the message is
        ever used.
        """
        self.__traceback__ = None
        self.__context__ = None
        self.__cause__ = None
        return self


# Arguments --------------------------------------------------------------------------


def bind_arguments(call: cst.Call, parameters: tuple[str, ...]) -> dict[str, cst.BaseExpression]:
    """Map a call's arguments to parameter names (positional, then keyword)."""
    bound: dict[str, cst.BaseExpression] = {}
    position = 0
    for arg in call.args:
        if arg.star:
            raise Refusal(f"`{code_of(call.func)}` is called with *args or **kwargs")
        if arg.keyword is None:
            if position >= len(parameters):
                raise Refusal(f"`{code_of(call.func)}` has more arguments than expected")
            bound[parameters[position]] = arg.value
            position += 1
        else:
            name = arg.keyword.value
            if name not in parameters:
                raise Refusal(f"`{code_of(call.func)}` has an unexpected argument `{name}`")
            bound[name] = arg.value
    return bound


def literal_number(node: cst.BaseExpression) -> float | int | None:
    """The value of a numeric literal (with an optional sign), else None."""
    sign = 1
    if isinstance(node, cst.UnaryOperation) and isinstance(
        node.operator, (cst.Minus, cst.Plus)
    ):
        sign = -1 if isinstance(node.operator, cst.Minus) else 1
        node = node.expression
    if isinstance(node, cst.Integer):
        return sign * int(node.value.replace("_", ""), 0)
    if isinstance(node, cst.Float):
        return sign * float(node.value.replace("_", ""))
    return None


def is_none(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


_DTYPE_NAMES = {
    "float16", "bfloat16", "float32", "float64", "half", "double",
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "bool", "complex64", "complex128",
}
_DTYPE_ALIASES = {"half": "float16", "double": "float64", "float": "float64", "int": "int64"}


def dtype_name(node: cst.BaseExpression, index: ImportIndex) -> str:
    """``"float32"`` for ``tf.float32``, ``tf.dtypes.float32``, ``np.float32`` or the
    string itself; Refusal for anything computed."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if isinstance(value, str) and value in _DTYPE_NAMES:
            return _DTYPE_ALIASES.get(value, value)
    qualified = index.qualified_name(node)
    if qualified is not None:
        last = qualified.rsplit(".", 1)[-1]
        head = qualified.split(".")[0]
        if head in ("tensorflow", "numpy", "keras", "tf_keras") and last in _DTYPE_NAMES:
            return _DTYPE_ALIASES.get(last, last)
        if head == "numpy" and last in ("float_", "double"):
            return "float64"
    raise Refusal(f"the dtype `{code_of(node)}` cannot be decided statically")


# Initializer objects ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Mapping:
    """How one TensorFlow initializer maps onto a Keras 3 one."""

    keras_class: str | None  # None: a string initializer such as "zeros"
    parameters: tuple[str, ...]
    #: defaults of the TF API that Keras 3 does not share: always written out
    explicit_defaults: dict[str, str] = dataclasses.field(default_factory=dict)
    #: TF parameters that do not change values (dtype is the weight's business)
    ignored: tuple[str, ...] = ("dtype",)
    #: TF parameter name -> Keras parameter name
    renamed: dict[str, str] = dataclasses.field(default_factory=dict)
    string: str | None = None


_INITIALIZERS: dict[str, _Mapping] = {}


def _register(names: tuple[str, ...], mapping: _Mapping) -> None:
    for name in names:
        _INITIALIZERS[name] = mapping


_register(
    ("tf.zeros_initializer", "tf1.zeros_initializer", "tf.initializers.zeros", "tf1.initializers.zeros"),
    _Mapping(None, ("dtype",), string="zeros"),
)
_register(
    ("tf.ones_initializer", "tf1.ones_initializer", "tf.initializers.ones", "tf1.initializers.ones"),
    _Mapping(None, ("dtype",), string="ones"),
)
_register(
    ("tf.constant_initializer",),
    _Mapping("Constant", ("value", "support_partition"), ignored=("support_partition",)),
)
_register(
    ("tf1.constant_initializer",),
    _Mapping("Constant", ("value", "dtype", "verify_shape"), ignored=("dtype", "verify_shape")),
)
_register(
    ("tf.random_normal_initializer",),
    _Mapping("RandomNormal", ("mean", "stddev", "seed")),
)
_register(
    ("tf1.random_normal_initializer",),
    _Mapping("RandomNormal", ("mean", "stddev", "seed", "dtype"), explicit_defaults={"stddev": "1.0"}),
)
_register(
    ("tf1.truncated_normal_initializer",),
    _Mapping("TruncatedNormal", ("mean", "stddev", "seed", "dtype"), explicit_defaults={"stddev": "1.0"}),
)
_register(
    ("tf.random_uniform_initializer",),
    _Mapping("RandomUniform", ("minval", "maxval", "seed")),
)
_register(
    ("tf1.random_uniform_initializer",),
    _Mapping(
        "RandomUniform",
        ("minval", "maxval", "seed", "dtype"),
        explicit_defaults={"minval": "0.0", "maxval": "1.0"},
    ),
)
_register(
    ("tf1.glorot_uniform_initializer",),
    _Mapping("GlorotUniform", ("seed", "dtype")),
)
_register(
    ("tf1.glorot_normal_initializer",),
    _Mapping("GlorotNormal", ("seed", "dtype")),
)
_register(
    ("tf1.orthogonal_initializer",),
    _Mapping("Orthogonal", ("gain", "seed", "dtype")),
)
_register(
    ("tf1.variance_scaling_initializer",),
    _Mapping("VarianceScaling", ("scale", "mode", "distribution", "seed", "dtype")),
)

_VARIANCE_SCALING_DISTRIBUTIONS = {
    # TF1 treats the deprecated "normal" as a truncated normal.
    "normal": "truncated_normal",
    "truncated_normal": "truncated_normal",
    "untruncated_normal": "untruncated_normal",
    "uniform": "uniform",
}


def keras_initializer(
    node: cst.BaseExpression,
    index: ImportIndex,
    keras: str,
    known: frozenset[str] | set[str] = frozenset(),
    rank: int | None = None,
) -> str:
    """The Keras 3 initializer (as source text) equivalent to the initializer ``node``.

    ``known`` are names already bound to Keras initializers (a converted
    module-level `weight_init = ...`): they are used as they are. ``rank`` is the
    rank of the variable when known: some TF1 initializers only have a Keras
    equivalent for some ranks."""
    if isinstance(node, cst.Name) and node.value in known:
        return node.value
    if isinstance(node, cst.SimpleString):
        return code_of(node)
    if isinstance(node, cst.Call):
        canonical = index.canonical(node.func)
        if canonical is not None and canonical.startswith("keras.initializers."):
            return code_of(node)  # already a Keras initializer: the same object
        mapping = _INITIALIZERS.get(canonical or "")
        if mapping is not None:
            return _map_initializer_call(node, mapping, keras)
        if canonical in ("tf1.contrib.layers.xavier_initializer", "tf.contrib.layers.xavier_initializer"):
            return _xavier(node, keras)
        if canonical in (
            "tf1.contrib.layers.variance_scaling_initializer",
            "tf.contrib.layers.variance_scaling_initializer",
        ):
            return _contrib_variance_scaling(node, keras)
        if canonical == "tf1.uniform_unit_scaling_initializer":
            return _uniform_unit_scaling(node, keras, rank)
    canonical = index.canonical(node)
    if canonical is not None and canonical.startswith("keras.initializers."):
        return code_of(node)
    raise Refusal(f"no Keras 3 initializer is known to match `{code_of(node)}` exactly")


def _map_initializer_call(call: cst.Call, mapping: _Mapping, keras: str) -> str:
    bound = bind_arguments(call, mapping.parameters)
    if mapping.string is not None:
        return f'"{mapping.string}"'
    if mapping.keras_class == "Constant" and "value" in bound:
        return constant_initializer(bound["value"], keras)
    arguments: list[str] = []
    for parameter in mapping.parameters:
        if parameter in mapping.ignored:
            continue
        keras_name = mapping.renamed.get(parameter, parameter)
        if parameter in bound and not is_none(bound[parameter]):
            value = bound[parameter]
            if parameter == "distribution":
                value_text = _variance_scaling_distribution(value)
            elif parameter == "mode":
                value_text = _variance_scaling_mode(value)
            else:
                value_text = code_of(value)
            arguments.append(f"{keras_name}={value_text}")
        elif parameter in mapping.explicit_defaults:
            arguments.append(f"{keras_name}={mapping.explicit_defaults[parameter]}")
        elif parameter == "distribution":
            # TF1's default is a truncated normal, as Keras 3's; say it anyway.
            continue
    if not arguments:
        # `"glorot_uniform"` is how Keras code names an initializer with no settings.
        return f'"{_snake_case(mapping.keras_class)}"'
    return f"{keras}.initializers.{mapping.keras_class}({', '.join(arguments)})"


def _snake_case(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _variance_scaling_distribution(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if isinstance(value, str) and value.lower() in _VARIANCE_SCALING_DISTRIBUTIONS:
            return f'"{_VARIANCE_SCALING_DISTRIBUTIONS[value.lower()]}"'
    raise Refusal(f"the distribution `{code_of(node)}` cannot be decided statically")


def _variance_scaling_mode(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if isinstance(value, str) and value.lower() in ("fan_in", "fan_out", "fan_avg"):
            return f'"{value.lower()}"'
    raise Refusal(f"the mode `{code_of(node)}` cannot be decided statically")


#: tf.contrib's truncated normals draw with stddev sqrt(1.3 * factor / n) (1.3 makes
#: up for the truncation); Keras' VarianceScaling draws with sqrt(scale / n) / 0.8796...
#: The same distribution therefore has scale = factor * 1.3 * 0.8796...**2.
CONTRIB_TRUNCATED_SCALE = "1.3 * 0.87962566103423978**2"


def _xavier(call: cst.Call, keras: str) -> str:
    bound = bind_arguments(call, ("uniform", "seed", "dtype"))
    uniform = bound.get("uniform")
    seed = bound.get("seed")
    seed_argument = "" if seed is None or is_none(seed) else f", seed={code_of(seed)}"
    if uniform is None or (isinstance(uniform, cst.Name) and uniform.value == "True"):
        if not seed_argument:
            return '"glorot_uniform"'
        return f"{keras}.initializers.GlorotUniform({seed_argument[2:]})"
    if isinstance(uniform, cst.Name) and uniform.value == "False":
        return (
            f"{keras}.initializers.VarianceScaling(scale={CONTRIB_TRUNCATED_SCALE}, "
            f'mode="fan_avg", distribution="truncated_normal"{seed_argument})'
        )
    raise Refusal(f"`uniform={code_of(uniform)}` cannot be decided statically")


def _contrib_variance_scaling(call: cst.Call, keras: str) -> str:
    bound = bind_arguments(call, ("factor", "mode", "uniform", "seed", "dtype"))
    factor = code_of(bound["factor"]) if "factor" in bound else "2.0"
    mode = _variance_scaling_mode(bound["mode"]) if "mode" in bound else '"fan_in"'
    seed = bound.get("seed")
    seed_argument = "" if seed is None or is_none(seed) else f", seed={code_of(seed)}"
    uniform = bound.get("uniform")
    if uniform is None or is_name(uniform, "False"):
        scale = f"{factor} * {CONTRIB_TRUNCATED_SCALE}"
        distribution = '"truncated_normal"'
    elif is_name(uniform, "True"):
        scale, distribution = factor, '"uniform"'
    else:
        raise Refusal(f"`uniform={code_of(uniform)}` cannot be decided statically")
    return (
        f"{keras}.initializers.VarianceScaling(scale={scale}, mode={mode}, "
        f"distribution={distribution}{seed_argument})"
    )


def _uniform_unit_scaling(call: cst.Call, keras: str, rank: int | None) -> str:
    # TF1 scales by the product of all dimensions but the last; Keras' fan_in is the
    # same for rank 2 and more, and differs for vectors.
    if rank is None or rank < 2:
        raise Refusal(
            "`uniform_unit_scaling_initializer` matches a Keras initializer only for "
            "variables of rank 2 or more, and this rank is not known to be"
        )
    bound = bind_arguments(call, ("factor", "seed", "dtype"))
    factor = code_of(bound["factor"]) if "factor" in bound else "1.0"
    number = literal_number(bound["factor"]) if "factor" in bound else 1.0
    scale = repr(float(number) ** 2) if number is not None else f"{factor} ** 2"
    seed = bound.get("seed")
    seed_argument = "" if seed is None or is_none(seed) else f", seed={code_of(seed)}"
    return (
        f'{keras}.initializers.VarianceScaling(scale={scale}, mode="fan_in", '
        f'distribution="uniform"{seed_argument})'
    )


# Initial values ------------------------------------------------------------------


@dataclasses.dataclass
class InitialWeight:
    """What ``add_weight`` needs to recreate a variable from its initial value."""

    shape: str  # source text of the shape
    initializer: str  # source text of the Keras 3 initializer
    dtype: str | None  # dtype name, None for float32 (the default)


_VALUE_FACTORIES = {
    # canonical name -> (parameters, initializer kind)
    "tf.zeros": (("shape", "dtype", "name", "layout"), "zeros"),
    "tf1.zeros": (("shape", "dtype", "name"), "zeros"),
    "tf.ones": (("shape", "dtype", "name", "layout"), "ones"),
    "tf1.ones": (("shape", "dtype", "name"), "ones"),
    "tf.fill": (("dims", "value", "name", "layout"), "fill"),
    "tf1.fill": (("dims", "value", "name"), "fill"),
    "tf.constant": (("value", "dtype", "shape", "name"), "constant"),
    "tf1.constant": (("value", "dtype", "shape", "name", "verify_shape"), "constant"),
    "tf.random.normal": (("shape", "mean", "stddev", "dtype", "seed", "name"), "normal"),
    "tf1.random.normal": (("shape", "mean", "stddev", "dtype", "seed", "name"), "normal"),
    "tf1.random_normal": (("shape", "mean", "stddev", "dtype", "seed", "name"), "normal"),
    "tf.random.truncated_normal": (("shape", "mean", "stddev", "dtype", "seed", "name"), "truncated"),
    "tf1.random.truncated_normal": (("shape", "mean", "stddev", "dtype", "seed", "name"), "truncated"),
    "tf1.truncated_normal": (("shape", "mean", "stddev", "dtype", "seed", "name"), "truncated"),
    "tf.random.uniform": (("shape", "minval", "maxval", "dtype", "seed", "name"), "uniform"),
    "tf1.random.uniform": (("shape", "minval", "maxval", "dtype", "seed", "name"), "uniform"),
    "tf1.random_uniform": (("shape", "minval", "maxval", "dtype", "seed", "name"), "uniform"),
}

_NUMPY_FACTORIES = {
    "numpy.zeros": (("shape", "dtype", "order"), "zeros"),
    "numpy.ones": (("shape", "dtype", "order"), "ones"),
    "numpy.full": (("shape", "fill_value", "dtype", "order"), "fill"),
}


def constant_initializer(value: cst.BaseExpression, keras: str) -> str:
    """``"zeros"``/``"ones"`` for 0 and 1, as a person writes them; else Constant."""
    number = literal_number(value)
    if number == 0:
        return '"zeros"'
    if number == 1:
        return '"ones"'
    return f"{keras}.initializers.Constant(value={code_of(value)})"


def weight_from_initial_value(
    value: cst.BaseExpression, index: ImportIndex, keras: str
) -> InitialWeight:
    """Shape, initializer and dtype that recreate the variable ``tf.Variable(value)``."""
    number = literal_number(value)
    if number is not None:
        dtype = "int32" if isinstance(number, int) else None
        return InitialWeight("()", constant_initializer(value, keras), dtype)
    if isinstance(value, (cst.List, cst.Tuple)):
        shape, kind = _literal_shape(value)
        dtype = "int32" if kind == "int" else None
        return InitialWeight(shape, f"{keras}.initializers.Constant(value={code_of(value)})", dtype)
    if isinstance(value, cst.Call):
        canonical = index.canonical(value.func)
        if canonical in _VALUE_FACTORIES:
            parameters, kind = _VALUE_FACTORIES[canonical]
            return _from_factory(value, parameters, kind, index, keras, numpy=False)
        qualified = index.qualified_name(value.func)
        if qualified in _NUMPY_FACTORIES:
            parameters, kind = _NUMPY_FACTORIES[qualified]
            return _from_factory(value, parameters, kind, index, keras, numpy=True)
        # An initializer object called on a shape: `init(shape, dtype=...)`.
        if isinstance(value.func, cst.Call) or index.canonical(value.func) is not None:
            try:
                initializer = keras_initializer(value.func, index, keras)
            except Refusal:
                initializer = None
            if initializer is not None:
                bound = bind_arguments(value, ("shape", "dtype", "partition_info"))
                if "shape" not in bound:
                    raise Refusal(f"`{code_of(value)}` has no shape")
                dtype = dtype_name(bound["dtype"], index) if "dtype" in bound else None
                return InitialWeight(code_of(bound["shape"]), initializer, _non_default(dtype))
    shape, dtype = _static_shape(value, index)
    # No initializer matches: keep the exact initial value through a callable.
    return InitialWeight(shape, f"lambda shape, dtype: {code_of(value)}", _non_default(dtype))


def _static_shape(value: cst.BaseExpression, index: ImportIndex) -> tuple[str, str | None]:
    """Shape (source text) and dtype of an initial value built from known factories
    with elementwise arithmetic on scalars; Refusal when it cannot be decided."""
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        return _static_shape(value.expression, index)
    if isinstance(value, cst.BinaryOperation) and not isinstance(
        value.operator, (cst.MatrixMultiply, cst.FloorDivide)
    ):
        left_number = literal_number(value.left)
        right_number = literal_number(value.right)
        if right_number is not None and left_number is None:
            shape, dtype = _static_shape(value.left, index)
        elif left_number is not None and right_number is None:
            shape, dtype = _static_shape(value.right, index)
        else:
            raise Refusal(f"cannot decide the shape of the initial value `{code_of(value)}`")
        number = right_number if right_number is not None else left_number
        if isinstance(number, float) and dtype is not None and dtype.startswith("int"):
            raise Refusal(f"cannot decide the dtype of the initial value `{code_of(value)}`")
        return shape, dtype
    if isinstance(value, cst.Call):
        canonical = index.canonical(value.func)
        if canonical in _VALUE_FACTORIES:
            parameters, kind = _VALUE_FACTORIES[canonical]
            weight = _from_factory(value, parameters, kind, index, "keras", numpy=False)
            return weight.shape, weight.dtype or "float32"
        if canonical in ("tf.eye", "tf1.eye"):
            bound = bind_arguments(
                value, ("num_rows", "num_columns", "batch_shape", "dtype", "name")
            )
            if "batch_shape" in bound and not is_none(bound["batch_shape"]):
                raise Refusal(f"cannot decide the shape of `{code_of(value)}`")
            rows = code_of(bound["num_rows"])
            columns = bound.get("num_columns")
            columns_text = rows if columns is None or is_none(columns) else code_of(columns)
            dtype = dtype_name(bound["dtype"], index) if "dtype" in bound else "float32"
            return f"({rows}, {columns_text})", dtype
        if canonical in ("tf.cast", "tf1.cast"):
            bound = bind_arguments(value, ("x", "dtype", "name"))
            shape, _ = _static_shape(bound["x"], index)
            return shape, dtype_name(bound["dtype"], index)
    raise Refusal(f"cannot decide the shape of the initial value `{code_of(value)}`")


def _non_default(dtype: str | None) -> str | None:
    return None if dtype == "float32" else dtype


def _from_factory(
    call: cst.Call,
    parameters: tuple[str, ...],
    kind: str,
    index: ImportIndex,
    keras: str,
    *,
    numpy: bool,
) -> InitialWeight:
    bound = bind_arguments(call, parameters)
    dtype = dtype_name(bound["dtype"], index) if "dtype" in bound else None
    if kind in ("zeros", "ones"):
        if "shape" not in bound:
            raise Refusal(f"`{code_of(call)}` has no shape")
        if dtype is None and numpy:
            dtype = "float64"  # numpy's default, which tf.Variable keeps
        return InitialWeight(code_of(bound["shape"]), f'"{kind}"', _non_default(dtype))
    if kind == "fill":
        dims = bound.get("dims", bound.get("shape"))
        fill = bound.get("value", bound.get("fill_value"))
        if dims is None or fill is None:
            raise Refusal(f"`{code_of(call)}` lacks its shape or value")
        if dtype is None:
            number = literal_number(fill)
            if number is None:
                raise Refusal(f"the dtype of `{code_of(fill)}` cannot be decided statically")
            if isinstance(number, int):
                dtype = "int64" if numpy else "int32"
            else:
                dtype = "float64" if numpy else None
        return InitialWeight(code_of(dims), constant_initializer(fill, keras), _non_default(dtype))
    if kind == "constant":
        constant = bound.get("value")
        if constant is None:
            raise Refusal(f"`{code_of(call)}` has no value")
        if "shape" in bound and not is_none(bound["shape"]):
            shape = code_of(bound["shape"])
            if literal_number(constant) is None:
                raise Refusal(f"`{code_of(call)}` broadcasts a non-scalar value to a shape")
            element = "int" if isinstance(literal_number(constant), int) else "float"
        elif literal_number(constant) is not None:
            shape = "()"
            element = "int" if isinstance(literal_number(constant), int) else "float"
        elif isinstance(constant, (cst.List, cst.Tuple)):
            shape, element = _literal_shape(constant)
        else:
            raise Refusal(f"cannot decide the shape of `{code_of(constant)}`")
        if dtype is None:
            dtype = "int32" if element == "int" else None
        return InitialWeight(shape, constant_initializer(constant, keras), _non_default(dtype))
    # Random factories.
    if "shape" not in bound:
        raise Refusal(f"`{code_of(call)}` has no shape")
    if dtype is not None and not dtype.startswith(("float", "bfloat")):
        raise Refusal(f"random integers (`{code_of(call)}`) have no Keras 3 initializer")
    seed = bound.get("seed")
    seed_argument = [] if seed is None or is_none(seed) else [f"seed={code_of(seed)}"]
    if kind in ("normal", "truncated"):
        arguments = []
        mean = bound.get("mean")
        if mean is not None and literal_number(mean) != 0:
            arguments.append(f"mean={code_of(mean)}")
        stddev = bound.get("stddev")
        arguments.append(f"stddev={code_of(stddev) if stddev is not None else '1.0'}")
        name = "RandomNormal" if kind == "normal" else "TruncatedNormal"
    else:
        minval, maxval = bound.get("minval"), bound.get("maxval")
        arguments = [
            f"minval={code_of(minval) if minval is not None else '0.0'}",
            f"maxval={code_of(maxval) if maxval is not None and not is_none(maxval) else '1.0'}",
        ]
        name = "RandomUniform"
    initializer = f"{keras}.initializers.{name}({', '.join(arguments + seed_argument)})"
    return InitialWeight(code_of(bound["shape"]), initializer, _non_default(dtype))


def _walk_literal(
    node: cst.BaseExpression, item: cst.BaseExpression, depth: int, dims: list[int], kinds: set[str]
) -> None:
    # A function of its own, not a recursive closure: a closure that calls itself is a
    # reference cycle, which keeps what it holds alive until a full garbage collection.
    if isinstance(item, (cst.List, cst.Tuple)):
        count = len(item.elements)
        if len(dims) <= depth:
            dims.append(count)
        elif dims[depth] != count:
            raise Refusal(f"the literal `{code_of(node)}` is ragged")
        for element in item.elements:
            if isinstance(element, cst.StarredElement):
                raise Refusal(f"the literal `{code_of(node)}` unpacks values")
            _walk_literal(node, element.value, depth + 1, dims, kinds)
        return
    number = literal_number(item)
    if number is None:
        raise Refusal(f"the literal `{code_of(node)}` holds values that are not numbers")
    if len(dims) != depth:
        raise Refusal(f"the literal `{code_of(node)}` is ragged")
    kinds.add("int" if isinstance(number, int) else "float")


def _literal_shape(node: cst.BaseExpression) -> tuple[str, str]:
    """The shape of a nested list/tuple literal of numbers, and its element kind."""
    dims: list[int] = []
    kinds: set[str] = set()
    _walk_literal(node, node, 0, dims, kinds)
    if 0 in dims:
        raise Refusal(f"the literal `{code_of(node)}` is empty")
    shape = "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"
    return shape, "float" if "float" in kinds else "int"
