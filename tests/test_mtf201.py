"""MTF201 behaviours that golden cases do not pin down one by one."""

import textwrap

import libcst as cst

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import get_rule

RULE = get_rule("MTF201")


def migrate(source: str, **settings):
    result = migrate_source(
        textwrap.dedent(source), rules=[RULE], settings=Settings(**settings)
    )
    assert result.error is None, result.error
    return result


def test_suppressed_statement_is_left_alone_and_others_convert():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.a = tf.Variable(tf.zeros([2]))  # migrate-tf: ignore[MTF201]
                self.b = tf.Variable(tf.ones([2]))
        """
    )
    assert "self.a = tf.Variable(tf.zeros([2]))  # migrate-tf: ignore[MTF201]" in result.output
    assert 'self.b = self.add_weight(name="b", shape=[2], initializer="ones")' in result.output


def test_suppression_on_the_class_line_covers_the_class():
    source = """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):  # migrate-tf: ignore
            def __init__(self):
                super().__init__()
                self.a = tf.Variable(tf.zeros([2]))
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    assert result.findings == []


def test_suppression_for_another_code_does_not_apply():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.a = tf.Variable(tf.zeros([2]))  # migrate-tf: ignore[MTF101]
        """
    )
    assert "self.add_weight" in result.output


def test_subclass_of_a_keras_layer_calls_super_build():
    result = migrate(
        """
        import tensorflow as tf

        class ScaledDense(tf.keras.layers.Dense):
            def __init__(self, units):
                super().__init__(units)
                self.scale = tf.Variable(1.0)
        """
    )
    assert "    def build(self, input_shape):\n        super().build(input_shape)\n        self.scale" in result.output


def test_subclass_of_a_local_layer_is_a_layer_too():
    result = migrate(
        """
        import tensorflow as tf

        class Base(tf.keras.layers.Layer):
            pass

        class Child(Base):
            def __init__(self):
                super().__init__()
                self.v = tf.Variable(tf.zeros([3]))
        """
    )
    assert "super().build(input_shape)" in result.output
    assert 'self.v = self.add_weight(name="v", shape=[3], initializer="zeros")' in result.output


def test_existing_build_receives_init_weights_first_and_call_weights_last():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.a = tf.Variable(tf.zeros([2]))

            def build(self, input_shape):
                self.k = self.add_weight(name="k", shape=(input_shape[-1], 2))
                super().build(input_shape)

            def call(self, x):
                self.c = tf.Variable(tf.ones([x.shape[-1]]))
                return x
        """
    )
    build = result.output[result.output.index("def build"):result.output.index("def call")]
    lines = [line.strip() for line in build.splitlines() if line.strip()]
    assert lines[1].startswith("self.a = self.add_weight(")
    assert lines[2].startswith("self.k = self.add_weight(")
    assert lines[3].startswith("self.c = self.add_weight(") and "input_shape[-1]" in lines[3]
    assert lines[4] == "super().build(input_shape)"


def test_existing_keras_binding_is_reused_and_no_import_is_added():
    result = migrate(
        """
        import tensorflow as tf
        from tensorflow import keras

        class L(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.a = tf.Variable(tf.random.normal([2]))
        """
    )
    assert result.output.count("import keras") == 1  # the existing `from tensorflow import keras`
    assert "keras.initializers.RandomNormal(stddev=1.0)" in result.output


def test_keras_import_style_from_tensorflow():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.a = tf.Variable(tf.random.normal([2]))
        """,
        keras_import="tensorflow",
    )
    assert "from tensorflow import keras\n" in result.output
    assert "\nimport keras\n" not in result.output


def test_string_initializers_need_no_keras_import():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.a = tf.Variable(tf.zeros([2]))
        """
    )
    assert "import keras" not in result.output


def test_refusal_leaves_code_byte_identical_and_reports_the_reason():
    source = """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def __init__(self, initial):
                super().__init__()
                self.v = tf.Variable(initial)
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    [finding] = result.findings
    assert finding.code == "MTF201"
    assert (finding.line, finding.column) == (7, 18)
    assert "`initial`" in finding.message and "not converted" in finding.message


def test_annotate_marks_the_refused_statement_once():
    source = """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def __init__(self, initial):
                super().__init__()
                self.v = tf.Variable(initial)
        """
    once = migrate(source, annotate=True).output
    assert "        # migrate-tf: MTF201 `self.v` is a tf.Variable" in once
    twice = migrate(once, annotate=True).output
    assert twice == once


def test_plain_classes_and_tf_modules_are_left_to_other_rules():
    source = """
        import tensorflow as tf

        class Holder:
            def __init__(self):
                self.v = tf.Variable(1.0)

        class Mod(tf.Module):
            def __init__(self):
                self.w = tf.Variable(tf.zeros([2]))

        step = tf.Variable(0)
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    assert result.findings == []


def test_two_space_indentation_is_kept():
    result = migrate(
        "import tensorflow as tf\n\nclass L(tf.keras.layers.Layer):\n  def __init__(self):\n"
        "    super().__init__()\n    self.v = tf.Variable(tf.zeros([2]))\n"
    )
    assert "\n  def build(self, input_shape):\n    self.v = self.add_weight(" in result.output
    cst.parse_module(result.output)


def test_model_subclass_is_converted():
    result = migrate(
        """
        import tensorflow as tf

        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.temperature = tf.Variable(1.0, trainable=False)

            def call(self, x):
                return x / self.temperature
        """
    )
    assert "trainable=False" in result.output and "self.add_weight" in result.output


def test_ignore_on_the_init_line_leaves_init_variables_where_they_are():
    source = """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def __init__(self):  # migrate-tf: ignore[MTF201]
                super().__init__()
                self.a = tf.Variable(tf.zeros([2]))

            def call(self, x):
                return x + self.a
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)


def test_ignore_on_build_keeps_call_variables_with_a_finding():
    source = """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def build(self, input_shape):  # migrate-tf: ignore
                self.k = tf.Variable(tf.zeros([2]))

            def call(self, x):
                self.c = tf.Variable(tf.ones([2]))
                return x * self.c
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    [finding] = result.findings
    assert "`build` is marked" in finding.message
