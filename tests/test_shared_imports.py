"""ImportIndex: what a dotted name refers to, whatever the import spelling."""

from pathlib import Path

import libcst as cst
import pytest

from migrate_tf.shared.imports import ImportIndex


def index_of(source: str) -> ImportIndex:
    return ImportIndex.from_module(cst.parse_module(source))


def canonical(source: str, expression: str) -> str | None:
    return index_of(source).canonical(cst.parse_expression(expression))


@pytest.mark.parametrize(
    "imports, expression, expected",
    [
        ("import tensorflow as tf", "tf.Variable", "tf.Variable"),
        ("import tensorflow", "tensorflow.Variable", "tf.Variable"),
        ("import tensorflow.compat.v1 as tf", "tf.get_variable", "tf1.get_variable"),
        ("from tensorflow.compat import v1", "v1.variable_scope", "tf1.variable_scope"),
        ("from tensorflow.compat import v1 as tf", "tf.layers.dense", "tf1.layers.dense"),
        ("import tensorflow as tf", "tf.compat.v1.get_variable", "tf1.get_variable"),
        ("import tensorflow as tf", "tf.keras.layers.Layer", "keras.layers.Layer"),
        ("from tensorflow import keras", "keras.layers.Layer", "keras.layers.Layer"),
        ("from tensorflow.keras.layers import Layer", "Layer", "keras.layers.Layer"),
        ("from tensorflow.keras.layers import Layer as Base", "Base", "keras.layers.Layer"),
        ("from tensorflow.keras import layers", "layers.Dense", "keras.layers.Dense"),
        ("import keras", "keras.Layer", "keras.layers.Layer"),
        ("import keras", "keras.Model", "keras.models.Model"),
        ("import tf_keras as keras", "keras.layers.Layer", "keras.layers.Layer"),
        ("import tensorflow as tf\ntf = tf.compat.v1", "tf.get_variable", "tf1.get_variable"),
        ("import numpy as np", "np.zeros", None),
        ("", "tf.Variable", None),
    ],
)
def test_canonical_names_for_every_spelling(imports, expression, expected):
    assert canonical(imports, expression) == expected


def test_tensorflow_alias_in_tf1_code_means_tf1():
    source = "import tensorflow as tf\n\ndef f(x):\n    return tf.get_variable('w', [3])\n"
    index = index_of(source)
    assert index.tf1
    assert index.canonical(cst.parse_expression("tf.random_normal_initializer")) == (
        "tf1.random_normal_initializer"
    )


def test_tf2_initializer_names_do_not_make_a_file_tf1():
    # `tf.random_normal_initializer` starts with the TF1-only `tf.random_normal`.
    index = index_of("import tensorflow as tf\ninit = tf.random_normal_initializer()\n")
    assert not index.tf1


def test_imports_inside_try_blocks_are_seen():
    source = "try:\n    import tensorflow.compat.v1 as tf\nexcept ImportError:\n    import tensorflow as tf\n"
    assert index_of(source).bindings["tf"] in ("tensorflow", "tensorflow.compat.v1")


def test_is_api_matches_tf1_spelling_of_a_tf_name():
    index = index_of("import tensorflow.compat.v1 as tf")
    assert index.is_api(cst.parse_expression("tf.Variable"), "tf.Variable")


def test_keras_module_name_reuses_existing_binding():
    assert index_of("from tensorflow import keras").keras_module_name() == "keras"
    assert index_of("import tensorflow as tf").keras_module_name() is None


from migrate_tf.shared.imports import add_imports  # noqa: E402


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "import os\n\nimport numpy as np\nimport tensorflow as tf\n\nx = 1\n",
            "import os\n\nimport keras\nimport numpy as np\nimport tensorflow as tf\n\nx = 1\n",
        ),
        ("# header\nimport tensorflow as tf\n", "# header\nimport keras\nimport tensorflow as tf\n"),
        (
            '"""Doc."""\nfrom __future__ import annotations\n\nimport tensorflow as tf\n',
            '"""Doc."""\nfrom __future__ import annotations\n\nimport keras\nimport tensorflow as tf\n',
        ),
        ("import keras\nimport tensorflow as tf\n", "import keras\nimport tensorflow as tf\n"),
    ],
)
def test_import_is_added_once_at_its_sorted_place_in_the_tensorflow_group(source, expected):
    assert add_imports(cst.parse_module(source), [("keras", None)]).code == expected


def test_from_import_is_not_added_twice():
    source = "import tensorflow as tf\nfrom tensorflow import keras\n"
    assert add_imports(cst.parse_module(source), [("tensorflow", "keras")]).code == source


def test_layer_attribute_list_covers_keras_layer():
    import keras

    from migrate_tf.shared.layers import LAYER_ATTRIBUTES

    public = {name for name in dir(keras.layers.Layer) if not name.startswith("_")}
    assert public <= LAYER_ATTRIBUTES, sorted(public - LAYER_ATTRIBUTES)


from migrate_tf.shared.imports import remove_imports_made_unused  # noqa: E402


def test_tensorflow_imports_a_migration_made_unused_are_removed():
    before = cst.parse_module(
        "import os\nimport tensorflow as tf\n"
        "from tensorflow.compat.v1 import get_variable, placeholder\n"
        "x = get_variable('w')\ny = placeholder(tf.float32)\nos.sep\n"
    )
    after = cst.parse_module(
        "import os\nimport tensorflow as tf\n"
        "from tensorflow.compat.v1 import get_variable, placeholder\n"
        "x = 1\ny = placeholder(tf.float32)\n"
    )
    result = remove_imports_made_unused(before, after).code
    assert "from tensorflow.compat.v1 import placeholder\n" in result
    assert "import os\n" in result  # not a TensorFlow import: never touched


def test_imports_unused_before_the_migration_stay():
    before = cst.parse_module("from tensorflow import keras\nx = 1\n")
    after = cst.parse_module("from tensorflow import keras\nx = 2\n")
    assert remove_imports_made_unused(before, after).code == after.code


GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def _removed_the_old_way(before: cst.Module, after: cst.Module) -> cst.Module:
    """remove_imports_made_unused as it was: the names each whole module reads."""
    from migrate_tf.shared import imports
    from migrate_tf.shared.names import free_names

    gone = free_names(before, skip_imports=True) - free_names(after, skip_imports=True)
    body = []
    for statement in after.body:
        aliases = imports._aliases(statement)
        if aliases is not None:
            kept = [
                alias
                for alias, module_name in aliases
                if not module_name.startswith(imports._REMOVABLE_PREFIXES)
                or imports._alias_local(alias) not in gone
            ]
            if len(kept) != len(aliases):
                if not kept:
                    continue
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                small = statement.body[0].with_changes(names=kept)
                if isinstance(small, cst.ImportFrom) and small.lpar is None:
                    small = small.with_changes(rpar=None)
                statement = statement.with_changes(body=[small])
        body.append(statement)
    return after.with_changes(body=body)


SHARED_BEFORE = """import os
import tensorflow as tf
import tensorflow.contrib.layers as layers
from tensorflow.compat.v1 import get_variable, placeholder
from keras import backend as K, ops


def uses_tf(x):
    return tf.matmul(x, get_variable("w", [2, 2]))


def uses_layers(x):
    return layers.fully_connected(x, 3) + K.epsilon()


y = placeholder(tf.float32)
z = ops.add(1, 2)
"""


@pytest.mark.parametrize(
    "replaced",
    [
        {},
        {"uses_tf": "def uses_tf(x):\n    return x\n"},
        {"uses_layers": "def uses_layers(x):\n    return x\n"},
        {"uses_tf": "def uses_tf(x):\n    return x\n", "uses_layers": "def uses_layers(x):\n    return tf.nn.relu(x)\n"},
        {"uses_tf": "def uses_tf(x):\n    return ops.relu(x)\n", "uses_layers": "def uses_layers(x):\n    return K\n"},
    ],
)
def test_statements_both_modules_hold_read_the_same(replaced):
    from migrate_tf.shared.walk import clear_cache

    before = cst.parse_module(SHARED_BEFORE)
    body = []
    for statement in before.body:
        name = getattr(statement, "name", None)
        if name is not None and name.value in replaced:
            statement = cst.parse_module(replaced[name.value]).body[0].with_changes(
                leading_lines=statement.leading_lines
            )
        body.append(statement)  # the others: the very nodes of `before`
    after = before.with_changes(body=body)
    try:
        expected = _removed_the_old_way(before, after).code
        assert remove_imports_made_unused(before, after).code == expected
    finally:
        clear_cache()


@pytest.mark.parametrize("case", sorted(GOLDEN.glob("*/*/before.py")), ids=str)
def test_removal_on_golden_pairs_is_the_old_one(case):
    from migrate_tf.shared.walk import clear_cache

    before = cst.parse_module(case.read_text())
    after = cst.parse_module((case.parent / "after.py").read_text())
    try:
        expected = _removed_the_old_way(before, after).code
        assert remove_imports_made_unused(before, after).code == expected
    finally:
        clear_cache()
