"""MTF202 behaviours that golden cases do not pin down one by one."""

import textwrap

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import get_rule


def migrate(source: str, *codes: str):
    rules = [get_rule(code) for code in codes or ("MTF202",)]
    result = migrate_source(textwrap.dedent(source), rules=rules, settings=Settings())
    assert result.error is None, result.error
    return result


SEED = """
    import tensorflow as tf

    class MyModule(tf.Module):
        def __init__(self):
            self.w = tf.Variable(tf.random.normal([2,2]), trainable=False, name="fixed_weight")

    class MyLayer(tf.keras.layers.Layer):
        def __init__(self):
            super(MyLayer, self).__init__()
            self.module = MyModule()
            self.v = tf.Variable(tf.random.normal([2,2]), name="layer_weight")

        def call(self, inputs):
            return self.module.w + self.v * inputs
    """


def test_module_and_layer_variables_are_both_converted_with_mtf201():
    result = migrate(SEED, "MTF201", "MTF202")
    assert "tf.Variable" not in result.output
    assert "class MyModule(tf.keras.layers.Layer):" in result.output
    assert "super().__init__()\n        self.build()\n\n    def build(self, input_shape=None):\n        self.w = self.add_weight(" in result.output
    assert "def build(self, input_shape):\n        self.v = self.add_weight(" in result.output
    assert result.findings == []


def test_keras_spelling_of_the_file_is_reused():
    result = migrate(
        """
        import tensorflow as tf
        from tensorflow import keras

        class M(tf.Module):
            def __init__(self):
                super().__init__()
                self.w = tf.Variable(1.0)

        class L(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.m = M()
        """
    )
    assert "class M(keras.layers.Layer):" in result.output
    assert "\nimport keras\n" not in result.output


def test_docstring_stays_first_when_super_init_is_added():
    result = migrate(
        """
        import tensorflow as tf

        class M(tf.Module):
            def __init__(self):
                \"\"\"Holds one scale.\"\"\"
                self.w = tf.Variable(1.0)

        class L(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.m = M()
        """
    )
    assert '"""Holds one scale."""\n        super().__init__()\n        self.build()\n' in result.output


def test_reserved_layer_attribute_is_refused():
    result = migrate(
        """
        import tensorflow as tf

        class M(tf.Module):
            def __init__(self):
                super().__init__()
                self.trainable = False
                self.w = tf.Variable(1.0)

        class L(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.m = M()
        """
    )
    assert "class M(tf.Module):" in result.output
    assert "reserves" in result.findings[0].message


def test_module_of_another_module_family_is_left_alone_when_no_layer_holds_it():
    source = """
        import tensorflow as tf

        class M(tf.Module):
            def __init__(self):
                super().__init__()
                self.w = tf.Variable(1.0)

        model = M()
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    assert result.findings == []


def test_suppressed_module_is_reported_nowhere_and_unchanged():
    source = """
        import tensorflow as tf

        class M(tf.Module):  # migrate-tf: ignore
            def __init__(self):
                super().__init__()
                self.w = tf.Variable(1.0)

        class L(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.m = M()
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    assert result.findings == []


def test_positional_add_weight_of_a_module_is_named_by_mtf207():
    result = migrate(
        """
        import tensorflow as tf

        class M(tf.Module):
            def __init__(self, units):
                super().__init__()
                self.w = self.add_weight("w", (10, units))

            def __call__(self, x):
                return tf.matmul(x, self.w)
        """,
        "MTF202",
        "MTF207",
    )
    assert "class M(keras.layers.Layer):" in result.output
    assert "        self.units = units\n        self.build()\n" in result.output
    assert 'self.w = self.add_weight(name="w", shape=(10, self.units))' in result.output
    assert "    def call(self, x):" in result.output
