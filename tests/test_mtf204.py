"""MTF204 behaviours that golden cases do not pin down one by one."""

import textwrap

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import get_rule

RULE = get_rule("MTF204")

HEADER = """
import tensorflow as tf

class Outer(BASE):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = tf.keras.layers.Dense(4)

"""


def migrate(source: str):
    result = migrate_source(textwrap.dedent(source), rules=[RULE], settings=Settings())
    assert result.error is None, result.error
    return result


def outer(build_body: str, base: str = "tf.keras.layers.Layer", call: str = "self.dense(x)") -> str:
    text = textwrap.dedent(HEADER).replace("BASE", base)
    text += "    def build(self, input_shape):\n"
    text += textwrap.indent(textwrap.dedent(build_body), " " * 8)
    text += f"\n    def call(self, x):\n        return {call}\n"
    return text


def test_build_with_other_work_keeps_that_work():
    result = migrate(
        outer(
            """
            self.dense.build(input_shape)
            self._trainable_weights.extend(self.dense.trainable_weights)
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
            """
        )
    )
    assert "def build(self, input_shape):\n        self.scale = self.add_weight(" in result.output
    assert "_trainable_weights" not in result.output
    assert "self.dense.build" not in result.output


def test_subclass_of_a_keras_layer_keeps_its_super_build():
    result = migrate(
        outer(
            """
            self._trainable_weights.extend(self.dense.trainable_weights)
            super().build(input_shape)
            """,
            base="tf.keras.layers.Dense",
        )
    )
    assert "def build(self, input_shape):\n        super().build(input_shape)\n" in result.output


def test_private_weights_list_fed_with_weights_goes():
    result = migrate(outer("self._weights.extend(self.dense.weights)\n"))
    assert "def build" not in result.output
    assert result.findings == []


def test_trainable_weights_fed_into_non_trainable_list_is_refused_whole():
    source = outer(
        """
        self._trainable_weights.extend(self.dense.trainable_weights)
        self._non_trainable_weights.extend(self.dense.trainable_weights)
        """
    )
    result = migrate(source)
    assert result.output == source
    assert len(result.findings) == 1
    assert "_non_trainable_weights" in result.findings[0].message


def test_built_in_layer_with_trainable_argument_cannot_feed_its_weights_as_trainable():
    source = outer("self._trainable_weights.extend(self.dense.weights)\n").replace(
        "Dense(4)", "Dense(4, trainable=False)"
    )
    result = migrate(source)
    assert result.output == source
    assert result.findings


def test_sublayer_assigned_twice_is_not_known():
    source = outer("self._trainable_weights.extend(self.dense.trainable_weights)\n").replace(
        "        self.dense = tf.keras.layers.Dense(4)\n",
        "        self.dense = tf.keras.layers.Dense(4)\n        self.dense = make_dense()\n",
    )
    result = migrate(source)
    assert result.output == source
    assert "is not a Keras layer this class creates" in result.findings[0].message


def test_suppressed_statement_keeps_the_class_unchanged():
    source = outer(
        "self._trainable_weights.extend(self.dense.trainable_weights)  # migrate-tf: ignore\n"
    )
    result = migrate(source)
    assert result.output == source
    assert result.findings == []


def test_explicit_build_stays_when_call_rebinds_its_input():
    result = migrate(
        outer(
            """
            self.dense.build(input_shape)
            self._trainable_weights.extend(self.dense.trainable_weights)
            """,
            call="self.dense(x)\n\n    def other(self, x):\n        x = x + 1\n        return x",
        )
    )
    assert "self.dense.build(input_shape)" not in result.output
    rebinding = migrate(
        outer(
            """
            self.dense.build(input_shape)
            self._trainable_weights.extend(self.dense.trainable_weights)
            """,
            call="self.dense(x)",
        ).replace("    def call(self, x):\n", "    def call(self, x):\n        x = tf.reshape(x, [-1, 8])\n")
    )
    assert "self.dense.build(input_shape)" in rebinding.output


def test_classes_that_are_not_layers_are_left_alone():
    source = """
        class Tracker:
            def __init__(self):
                self._trainable_weights = []

            def add(self, layer):
                self._trainable_weights.extend(layer.trainable_weights)
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    assert result.findings == []
