"""MTF205 behaviours that golden cases do not pin down one by one."""

import textwrap

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import get_rule

RULE = get_rule("MTF205")


def migrate(source: str):
    result = migrate_source(textwrap.dedent(source), rules=[RULE], settings=Settings())
    assert result.error is None, result.error
    return result


def test_tf1_file_spelling_and_string_key():
    result = migrate(
        """
        import tensorflow as tf

        def head():
            dense = tf.keras.layers.Dense(3, name="head")
            return tf.get_collection("trainable_variables", scope="head/")
        """
    )
    assert "return dense.trainable_weights" in result.output


def test_two_layers_with_the_same_name_are_refused():
    result = migrate(
        """
        import tensorflow as tf

        def f():
            a = tf.keras.layers.Dense(3, name="head")
            b = tf.keras.layers.Dense(3, name="head")
            return tf.compat.v1.trainable_variables(scope="head")
        """
    )
    assert "several layers are named" in result.findings[0].message


def test_layer_assigned_twice_is_not_known():
    result = migrate(
        """
        import tensorflow as tf

        def f():
            a = tf.keras.layers.Dense(3, name="head")
            a = tf.keras.layers.Dense(4, name="other")
            return tf.compat.v1.trainable_variables(scope="head")
        """
    )
    assert "no layer named" in result.findings[0].message


def test_module_level_layer_is_in_view_of_functions():
    result = migrate(
        """
        import tensorflow as tf

        critic = tf.keras.layers.Dense(1, name="critic")

        def critic_variables():
            return tf.compat.v1.global_variables(scope="critic")
        """
    )
    assert "return critic.weights" in result.output


def test_get_collection_ref_is_reported():
    result = migrate(
        """
        import tensorflow as tf

        head = tf.keras.layers.Dense(1, name="head")
        variables = tf.compat.v1.get_collection_ref(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES)
        """
    )
    assert "modified in place" in result.findings[0].message


def test_suppressed_query_is_left_alone():
    source = """
        import tensorflow as tf

        head = tf.keras.layers.Dense(1, name="head")
        variables = tf.compat.v1.trainable_variables(scope="head")  # migrate-tf: ignore
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    assert result.findings == []


def test_graph_mode_file_with_keras_layers_only_is_converted():
    result = migrate(
        """
        import tensorflow.compat.v1 as tf
        import keras

        tf.disable_v2_behavior()
        head = keras.layers.Dense(1, name="head")
        variables = tf.trainable_variables(scope="head")
        """
    )
    assert "variables = head.trainable_weights" in result.output
    assert result.findings == []


def test_graph_mode_query_without_scope_names_the_replacement():
    result = migrate(
        """
        import tensorflow as tf

        tf.compat.v1.disable_eager_execution()
        saver_vars = tf.compat.v1.global_variables()
        """
    )
    message = result.findings[0].message
    assert "works only in graph mode" in message
    assert "use `model.weights` of the model that holds them" in message
