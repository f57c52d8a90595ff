"""MTF203 behaviours that golden cases do not pin down one by one, and its boundary
with MTF101 (TF1 scoped functions) and MTF206 (variables made in call)."""

import textwrap

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import get_rule


def migrate(source: str, *codes: str):
    rules = [get_rule(code) for code in codes or ("MTF203",)]
    result = migrate_source(textwrap.dedent(source), rules=rules, settings=Settings())
    assert result.error is None, result.error
    return result


SCOPED = """
    import tensorflow as tf
    from tensorflow import keras

    def instance_norm(x):
        with tf.compat.v1.variable_scope("instance_norm"):
            scale = tf.compat.v1.get_variable("scale", [x.get_shape()[-1]], initializer=tf.compat.v1.ones_initializer())
            return x * scale

    def dense(x, units, scope="dense"):
        with tf.compat.v1.variable_scope(scope):
            w = tf.compat.v1.get_variable("w", [x.get_shape()[-1], units])
            return tf.matmul(x, w)

    def build(inputs):
        return keras.layers.Lambda(instance_norm)(inputs)
    """


def test_mtf101_leaves_a_lambda_wrapped_function_to_mtf203():
    alone = migrate(SCOPED, "MTF101")
    assert "def instance_norm(x):" in alone.output
    assert "class Dense(" in alone.output  # other scoped functions still convert
    both = migrate(SCOPED, "MTF101", "MTF203")
    assert "class InstanceNorm(" in both.output and "def instance_norm" not in both.output
    assert "return InstanceNorm()(inputs)" in both.output
    assert not [f for f in both.findings if "instance_norm" in f.message]


def test_mtf206_does_not_touch_variables_made_by_a_lambda_function():
    source = """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def call(self, inputs):
                def f(x):
                    w = tf.Variable(tf.ones([x.shape[-1]]), name="w")
                    return x * w
                return tf.keras.layers.Lambda(f)(inputs)
        """
    assert migrate(source, "MTF206").output == textwrap.dedent(source)
    assert migrate(source, "MTF206").findings == []
    converted = migrate(source, "MTF201", "MTF203", "MTF206")
    assert "return f(inputs, w=self.w)" in converted.output
    assert [f.code for f in converted.findings] == []


def test_local_function_used_twice_is_refused():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def call(self, inputs):
                def f(x):
                    w = tf.Variable(tf.ones([x.shape[-1]]), name="w")
                    return x * w
                y = f(inputs)
                return tf.keras.layers.Lambda(f)(inputs) + y
        """
    )
    assert "used other than by this `Lambda`" in result.findings[0].message


def test_weight_attribute_already_taken_is_refused():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(name="w", shape=())

            def call(self, inputs):
                def f(x):
                    w = tf.Variable(tf.ones([x.shape[-1]]))
                    return x * w
                return tf.keras.layers.Lambda(f)(inputs) * self.w
        """
    )
    assert "`self.w` is taken" in result.findings[0].message


def test_unnamed_variable_in_an_inline_lambda_is_refused():
    result = migrate(
        """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def call(self, inputs):
                return tf.keras.layers.Lambda(lambda t: t * tf.Variable(2.0))(inputs)
        """
    )
    assert "no literal `name=`" in result.findings[0].message


def test_suppressed_call_is_left_alone():
    source = """
        import tensorflow as tf

        class L(tf.keras.layers.Layer):
            def call(self, inputs):  # migrate-tf: ignore[MTF203]
                return tf.keras.layers.Lambda(lambda t: t * tf.Variable(2.0, name="g"))(inputs)
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    assert result.findings == []


def test_lambda_output_shape_is_dropped_at_model_level():
    result = migrate(
        """
        import tensorflow as tf
        from tensorflow import keras

        def shift(x):
            b = tf.Variable(tf.zeros([x.shape[-1]]), name="b")
            return x + b

        layer = keras.layers.Lambda(shift, output_shape=(4,), name="shift")
        """
    )
    assert 'layer = Shift(name="shift")' in result.output


MODULE_FUNCTION = """
    import tensorflow as tf
    from tensorflow import keras

    def add_bias(x):
        bias = tf.Variable(tf.zeros([x.shape[-1]]), name="bias")
        return x + bias

"""


def test_module_function_in_a_class_that_is_not_a_layer_is_refused():
    source = MODULE_FUNCTION + """
    class Builder:
        def make(self, inputs):
            return keras.layers.Lambda(add_bias)(inputs)
    """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    assert "not a Keras layer" in result.findings[0].message


def test_module_function_under_a_suppressed_layer_is_left_whole():
    source = MODULE_FUNCTION + """
    class Kept(keras.layers.Layer):  # migrate-tf: ignore
        def call(self, inputs):
            return keras.layers.Lambda(add_bias)(inputs)

    class Block(keras.layers.Layer):
        def call(self, inputs):
            return keras.layers.Lambda(add_bias)(inputs)
    """
    result = migrate(source)
    # The function keeps its signature: the suppressed layer still calls it by Lambda.
    assert result.output == textwrap.dedent(source)
    assert "ignore" in result.findings[0].message


def test_stored_lambda_read_in_another_method_is_refused():
    source = MODULE_FUNCTION + """
    class Block(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.shift = keras.layers.Lambda(add_bias)

        def call(self, inputs):
            return self.shift(inputs)

        def describe(self):
            return self.shift.name
    """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    assert "`self.shift` is used other than by one call in `call`" in result.findings[0].message


def test_module_function_applied_to_another_tensor_is_refused():
    source = MODULE_FUNCTION + """
    class Block(keras.layers.Layer):
        def call(self, inputs):
            hidden = inputs * 2.0
            return keras.layers.Lambda(add_bias)(hidden)
    """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    assert "other than `call`'s input `inputs`" in result.findings[0].message


def test_module_function_sites_share_the_build_with_existing_weights():
    result = migrate(
        MODULE_FUNCTION
        + """
    class Block(keras.layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(name="scale", shape=(input_shape[-1],))

        def call(self, inputs):
            return keras.layers.Lambda(add_bias)(inputs) * self.scale
    """
    )
    assert "def add_bias(x, bias):" in result.output
    assert 'self.scale = self.add_weight(name="scale", shape=(input_shape[-1],))\n        self.bias = self.add_weight(' in result.output
    assert "return add_bias(inputs, bias=self.bias) * self.scale" in result.output
