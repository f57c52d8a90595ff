"""MTF207 behaviours that golden cases do not pin down one by one."""

import textwrap

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import get_rule

RULE = get_rule("MTF207")


def migrate(source: str):
    result = migrate_source(textwrap.dedent(source), rules=[RULE], settings=Settings())
    assert result.error is None, result.error
    return result


def layer(body: str) -> str:
    return (
        "import tensorflow as tf\n\n\nclass L(tf.keras.layers.Layer):\n"
        "    def build(self, input_shape):\n"
        + textwrap.indent(textwrap.dedent(body), " " * 8)
    )


def test_every_keras2_positional_slot_is_named_in_keras2_order():
    result = migrate(layer('self.w = self.add_weight("w", (2,), "float32", "ones", None, False, None)\n'))
    assert (
        'self.add_weight(\n            name="w",\n            shape=(2,),\n            dtype="float32",\n'
        '            initializer="ones",\n            regularizer=None,\n            trainable=False,\n'
        "            constraint=None,\n        )"
    ) in result.output


def test_positional_trainable_none_is_dropped():
    result = migrate(layer('self.w = self.add_weight("w", (2,), None, "ones", None, None)\n'))
    assert "trainable" not in result.output
    assert 'initializer="ones", regularizer=None\n' in result.output


def test_partitioner_is_dropped_and_aggregation_spelled_as_keras3_string():
    result = migrate(
        layer(
            'self.w = self.add_weight(name="w", shape=(2,), partitioner=None, '
            "aggregation=tf.compat.v1.VariableAggregation.SUM)\n"
        )
    )
    assert 'self.w = self.add_weight(name="w", shape=(2,), aggregation="sum")' in result.output


def test_keyword_only_keras3_call_is_untouched():
    source = layer('self.w = self.add_weight(name="w", shape=(2,), aggregation="mean")\n')
    result = migrate(source)
    assert result.output == source
    assert not result.findings


def test_double_star_keywords_alone_are_left_alone_and_star_args_refused():
    source = layer("self.w = self.add_weight(**self.weight_config)\n")
    assert migrate(source).output == source
    refused = migrate(layer('self.w = self.add_weight("w", *self.shape_and_dtype)\n'))
    assert "*args" in refused.findings[0].message
    assert 'add_weight("w", *self.shape_and_dtype)' in refused.output


def test_synchronization_other_than_auto_is_refused():
    result = migrate(
        layer(
            'self.w = self.add_weight("w", (2,), synchronization=tf.VariableSynchronization.ON_READ, trainable=False)\n'
        )
    )
    assert "synchronization" in result.findings[0].message
    assert 'add_weight("w", (2,)' in result.output


def test_tf_module_subclass_calls_are_converted_too():
    result = migrate(
        """
        import tensorflow as tf

        class Dense(tf.Module):
            def __init__(self, units):
                super().__init__()
                self.w = self.add_weight("w", (10, units))
        """
    )
    assert 'self.w = self.add_weight(name="w", shape=(10, units))' in result.output


def test_calls_on_other_objects_and_outside_classes_are_left_alone():
    source = """
        import tensorflow as tf

        def make(layer):
            return layer.add_weight("w", (2,))

        class L(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.inner.add_weight("w", (2,))
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)


def test_self_of_a_method_reaches_nested_functions():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def build(me, input_shape):
                def make(name):
                    return me.add_weight(name, (input_shape[-1],))
                me.a = make("a")
        """
    )
    assert "me.add_weight(name=name, shape=(input_shape[-1],))" in result.output


def test_suppressed_call_is_left_alone():
    source = layer('self.w = self.add_weight("w", (2,))  # migrate-tf: ignore[MTF207]\n')
    result = migrate(source)
    assert result.output == source
    assert not result.findings


def test_add_variable_with_keywords_becomes_add_weight():
    result = migrate(layer('self.w = self.add_variable(name="w", shape=(2,))\n'))
    assert 'self.w = self.add_weight(name="w", shape=(2,))' in result.output


def test_name_keyword_with_positional_first_is_keras3_code():
    source = layer('self.w = self.add_weight((2,), "zeros", name="w")\n')
    assert migrate(source).output == source
