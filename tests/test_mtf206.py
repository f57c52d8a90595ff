"""MTF206 behaviours that golden cases do not pin down one by one, and its boundary
with MTF201 (unguarded tf.Variable in call) and MTF207 (positional add_weight)."""

import textwrap

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import get_rule


def migrate(source: str, *codes: str):
    rules = [get_rule(code) for code in codes or ("MTF206",)]
    result = migrate_source(textwrap.dedent(source), rules=rules, settings=Settings())
    assert result.error is None, result.error
    return result


MIXED = """
    import tensorflow as tf

    class Mixed(tf.keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def call(self, x):
            self.gain = tf.Variable(tf.ones([x.shape[-1]]), name="gain")
            if not hasattr(self, "kernel"):
                self.kernel = self.add_weight("kernel", (x.shape[-1], self.units))
            return tf.matmul(x * self.gain, self.kernel)
    """


def test_unguarded_tf_variable_is_mtf201s_and_guarded_add_weight_mtf206s():
    alone = migrate(MIXED, "MTF206")
    assert 'self.gain = tf.Variable(tf.ones([x.shape[-1]]), name="gain")' in alone.output
    assert 'self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))' in alone.output
    assert alone.findings == []


def test_with_mtf201_and_mtf207_everything_lands_in_one_build_once():
    result = migrate(MIXED, "MTF201", "MTF206", "MTF207")
    assert result.output.count("def build(") == 1
    build = result.output[result.output.index("def build("):result.output.index("def call(")]
    assert build.index("self.gain = self.add_weight(") < build.index("self.kernel = self.add_weight(")
    assert 'name="kernel", shape=(input_shape[-1], self.units)' in build
    assert "hasattr" not in result.output
    assert result.findings == []
    again = migrate(result.output, "MTF201", "MTF206", "MTF207")
    assert again.output == result.output


def test_a_refused_variable_in_call_is_reported_once_by_the_pair():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def call(self, x):
                for _ in range(2):
                    self.w = tf.Variable(tf.zeros([3]))
                return x + self.w
        """,
        "MTF201",
        "MTF206",
    )
    assert [f.code for f in result.findings] == ["MTF206"]
    assert "inside `for`" in result.findings[0].message


def test_guard_on_another_attribute_is_refused():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def call(self, x):
                if not hasattr(self, "ready"):
                    self.w = self.add_weight(name="w", shape=(3,))
                return x + self.w
        """
    )
    assert "tests `ready`" in result.findings[0].message
    assert "hasattr" in result.output


def test_weight_assigned_elsewhere_is_refused():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def call(self, x):
                if not hasattr(self, "w"):
                    self.w = self.add_weight(name="w", shape=(3,))
                return x + self.w

            def reset(self):
                self.w = None
        """
    )
    assert "assigned elsewhere" in result.findings[0].message


def test_none_guard_needs_the_none_in_init():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def call(self, x):
                if self.w is None:
                    self.w = self.add_weight(name="w", shape=(3,))
                return x + self.w
        """
    )
    assert "not set to None in `__init__`" in result.findings[0].message


def test_suppressed_guard_is_left_alone_without_finding():
    source = """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def call(self, x):
                if not hasattr(self, "w"):  # migrate-tf: ignore[MTF206]
                    self.w = self.add_weight(name="w", shape=(3,))
                return x + self.w
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    assert result.findings == []


def test_build_with_another_self_name_gets_its_spelling():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def build(layer, shape):
                layer.k = layer.add_weight(name="k", shape=(shape[-1],))

            def call(self, x):
                if not hasattr(self, "w"):
                    self.w = self.add_weight(name="w", shape=(x.shape[-1],))
                return x * self.k + self.w
        """
    )
    assert 'layer.w = layer.add_weight(name="w", shape=(shape[-1],))' in result.output
