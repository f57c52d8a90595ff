"""MTF101's `__init__`, parsed statement by statement, prints as it did parsed whole.

The writer parses `super().__init__(...)` and `self.<setting> = <setting>` on their
own (their parses are shared by every class of a file) and the sublayer and container
creations in a block of the method's indentation. Where a user's expression spans
lines inside brackets, its continuation lines keep the indentation the whole-method
parse gave them: these outputs are those of the version that parsed the method whole
(commit 42507e2).
"""

from __future__ import annotations

import pytest

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import select_rules

CASES = {
    'indexed_scope_name_spanning_lines': (
        'import tensorflow as tf\n\n\ndef stack(x, n_layers=2, scope="stack"):\n    with tf.variable_scope(scope):\n        for i in range(n_layers):\n            with tf.variable_scope(("layer_%d"\n                                    % i)):\n                w = tf.get_variable("w", [4, 4])\n                x = tf.matmul(x, w)\n        return x\n',
        'import keras\nimport tensorflow as tf\n\n\nclass Stack(keras.layers.Layer):\n    def __init__(self, n_layers=2, name="stack", **kwargs):\n        super().__init__(name=name, **kwargs)\n        self.n_layers = n_layers\n        self.layer = [keras.layers.Layer(name=("layer_%d"\n                            % i)) for i in range(n_layers)]\n\n    def build(self, x_shape):\n        self.w = []\n        for i in range(self.n_layers):\n            self.w.append(\n                self.layer[i].add_weight(\n                    name="w", shape=[4, 4], initializer="glorot_uniform"\n                )\n            )\n\n    def call(self, x):\n        for i in range(self.n_layers):\n            x = tf.matmul(x, self.w[i])\n        return x\n',
    ),
    'layer_arguments_spanning_lines': (
        'import tensorflow as tf\n\n\ndef block(x, units, scope="block"):\n    with tf.variable_scope(scope):\n        x = tf.layers.dense(x, units, activation=tf.nn.relu,\n  kernel_initializer=tf.constant_initializer(\n      [1.0,\n 2.0]), name="fc")\n        y = tf.layers.dense(x, units, name="out")\n        return y\n\n\ndef tower(x, units, scope="tower"):\n    with tf.variable_scope(scope):\n        for i in range(3):\n            x = tf.layers.dense(x, units, name=("dense_%d"\n % i))\n        return x\n',
        'import keras\nimport tensorflow as tf\n\n\nclass Block(keras.layers.Layer):\n    def __init__(self, units, name="block", **kwargs):\n        super().__init__(name=name, **kwargs)\n        self.units = units\n        self.fc = keras.layers.Dense(\n            units,\n            activation=tf.nn.relu,\n            kernel_initializer=keras.initializers.Constant(value=[1.0,\n         2.0]),\n            name="fc",\n        )\n        self.out = keras.layers.Dense(units, name="out")\n\n    def call(self, x):\n        x = self.fc(x)\n        y = self.out(x)\n        return y\n\n\nclass Tower(keras.layers.Layer):\n    def __init__(self, units, name="tower", **kwargs):\n        super().__init__(name=name, **kwargs)\n        self.units = units\n        self.dense = [keras.layers.Dense(\n            units,\n            name=("dense_%d"\n         % i),\n        ) for i in range(3)]\n\n    def call(self, x):\n        for i in range(3):\n            x = self.dense[i](x)\n        return x\n',
    ),
    'sublayer_argument_spanning_lines': (
        'import tensorflow as tf\n\n\ndef inner(x, units, scale=(1.0 +\n                           2.0), scope="inner"):\n    with tf.variable_scope(scope):\n        w = tf.get_variable("w", [x.get_shape()[-1], units])\n        return tf.matmul(x, w) * scale\n\n\ndef outer(x, units, scope="outer"):\n    with tf.variable_scope(scope):\n        h = inner(x, units, scale=(3.0 +\n    4.0), scope="a")\n        return inner(h, units, scope="b")\n',
        'import keras\nimport tensorflow as tf\n\n\nclass Inner(keras.layers.Layer):\n    def __init__(\n        self,\n        units,\n        scale=(1.0 +\n                               2.0),\n        name="inner",\n        **kwargs,\n    ):\n        super().__init__(name=name, **kwargs)\n        self.units = units\n        self.scale = scale\n\n    def build(self, x_shape):\n        self.w = self.add_weight(\n            name="w", shape=[x_shape[-1], self.units], initializer="glorot_uniform"\n        )\n\n    def call(self, x):\n        return tf.matmul(x, self.w) * self.scale\n\n\nclass Outer(keras.layers.Layer):\n    def __init__(self, units, name="outer", **kwargs):\n        super().__init__(name=name, **kwargs)\n        self.units = units\n        self.a = Inner(\n            units,\n            scale=(3.0 +\n            4.0),\n            name="a",\n        )\n        self.b = Inner(units, name="b")\n\n    def call(self, x):\n        h = self.a(x)\n        return self.b(h)\n',
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_init_prints_as_the_whole_method_parsed(name):
    source, expected = CASES[name]
    result = migrate_source(source, rules=select_rules(), settings=Settings())
    assert result.error is None
    assert result.output == expected


def test_classes_of_one_file_share_the_parse_of_their_super_call(monkeypatch):
    import libcst as cst

    from migrate_tf.shared import codegen

    parsed = []
    real = cst.parse_module

    def counting(text, *args, **kwargs):
        parsed.append(text)
        return real(text, *args, **kwargs)

    codegen._parsed_statements.cache_clear()
    monkeypatch.setattr(cst, "parse_module", counting)
    source, expected = CASES["layer_arguments_spanning_lines"]  # two classes
    assert migrate_source(source, rules=select_rules(), settings=Settings()).output == expected
    assert expected.count("super().__init__(name=name, **kwargs)") == 2
    # Generated code is parsed from column 0 (the validation of the output parses
    # whole classes, which start with their decorators or `class`).
    generated = [text for text in parsed if text.startswith(("super()", "def __init__"))]
    assert generated == ["super().__init__(name=name, **kwargs)\n"]
