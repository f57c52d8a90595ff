"""MTF101 behaviours that golden cases do not pin down one by one."""

import textwrap

import libcst as cst

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import get_rule

RULE = get_rule("MTF101")


def migrate(source: str, **settings):
    result = migrate_source(
        textwrap.dedent(source), rules=[RULE], settings=Settings(**settings)
    )
    assert result.error is None, result.error
    cst.parse_module(result.output)
    return result


DENSE = """
    import tensorflow as tf


    def dense(x, units, scope="dense"):
        with tf.variable_scope(scope):
            w = tf.get_variable("w", [x.get_shape()[-1], units])
            return tf.matmul(x, w)
    """


def test_function_becomes_class_with_contract_names():
    result = migrate(DENSE)
    assert "class Dense(keras.layers.Layer):" in result.output
    assert 'def __init__(self, units, name="dense", **kwargs):' in result.output
    assert "def build(self, x_shape):" in result.output
    assert "def call(self, x):" in result.output
    assert "def dense(" not in result.output
    [conversion] = result.conversions
    assert (conversion.old, conversion.new, conversion.inputs, conversion.constructor) == (
        "dense", "Dense", ("x",), ("units",)
    )


def test_unconverted_call_site_is_a_finding_naming_the_layer():
    result = migrate(DENSE + "\n\n    def head(x):\n        return dense(x, 10)\n")
    [finding] = result.findings
    assert (finding.line, finding.column) == (12, 12)
    assert "`dense(...)` is now the layer `Dense`" in finding.message


def test_refused_function_is_left_byte_identical():
    source = """
        import tensorflow as tf


        def gated(x, n, scope="gated"):
            with tf.variable_scope(scope):
                if n > 1:
                    w = tf.get_variable("w", [n])
                    x = x * w
                return x
        """
    result = migrate(source)
    assert result.output == textwrap.dedent(source)
    [finding] = result.findings
    assert finding.code == "MTF101" and "conditionally" in finding.message


def test_ignore_comment_on_a_statement_keeps_the_whole_function():
    source = DENSE.replace(
        "return tf.matmul(x, w)", "return tf.matmul(x, w)  # migrate-tf: ignore"
    )
    assert migrate(source).output == textwrap.dedent(source)


def test_class_name_that_is_taken_gets_a_suffix():
    source = DENSE.replace(
        "import tensorflow as tf", "import tensorflow as tf\n    from keras.layers import Dense"
    )
    assert "class DenseLayer(keras.layers.Layer):" in migrate(source).output


def test_tf1_op_whose_meaning_changed_is_spelled_compat_v1():
    source = """
        import tensorflow as tf


        def drop(x, keep_prob=0.9, scope="drop"):
            with tf.variable_scope(scope):
                w = tf.get_variable("w", [x.get_shape()[-1]])
                return tf.nn.dropout(x * w, keep_prob)
        """
    output = migrate(source).output
    assert "tf.compat.v1.nn.dropout(x * self.w, self.keep_prob)" in output


def test_compat_v1_import_keeps_its_ops():
    source = DENSE.replace("import tensorflow as tf", "import tensorflow.compat.v1 as tf")
    assert "return tf.matmul(x, self.w)" in migrate(source).output


def test_dimension_value_is_dropped_in_call():
    source = """
        import tensorflow as tf


        def scale(x, scope="scale"):
            with tf.variable_scope(scope):
                g = tf.get_variable("g", [x.get_shape()[-1].value])
                n = x.shape[1].value
                return x * g / n
        """
    output = migrate(source).output
    assert "n = x.shape[1]\n" in output
    assert "shape=[x_shape[-1]]" in output


def test_weight_named_like_a_keras_property_gets_another_attribute():
    source = """
        import tensorflow as tf


        def fc(x, units, scope="fc"):
            with tf.variable_scope(scope):
                weights = tf.get_variable("weights", [x.get_shape()[-1], units])
                return tf.matmul(x, weights)
        """
    output = migrate(source).output
    assert "self.weights_ = self.add_weight(" in output
    assert 'name="weights"' in output
    assert "tf.matmul(x, self.weights_)" in output


def test_scope_entered_twice_without_reuse_is_refused():
    source = DENSE + """

    def tower(x, scope="tower"):
        with tf.variable_scope(scope):
            h = dense(x, 4, "fc")
            return dense(h, 4, "fc")
    """
    result = migrate(source)
    assert "class Tower" not in result.output
    assert any("entered twice without reuse" in f.message for f in result.findings)


def test_reused_scope_is_one_sublayer_called_twice():
    source = """
        import tensorflow as tf


        def critic(x, scope="critic", reuse=False):
            with tf.variable_scope(scope, reuse=reuse):
                w = tf.get_variable("w", [x.get_shape()[-1], 1])
                return tf.matmul(x, w)


        def pair(real, fake, scope="pair"):
            with tf.variable_scope(scope):
                return critic(real), critic(fake, reuse=True)
        """
    output = migrate(source).output
    assert output.count("Critic(name=\"critic\")") == 1
    assert "return self.critic(real), self.critic(fake)" in output


def test_training_flag_becomes_calls_training_argument():
    source = """
        import tensorflow as tf


        def block(x, units, is_training, scope="block"):
            with tf.variable_scope(scope):
                h = tf.layers.dense(x, units)
                return tf.layers.dropout(h, rate=0.1, training=is_training)
        """
    output = migrate(source).output
    assert "def call(self, x, training=None):" in output
    assert "self.dropout(h, training=training)" in output
    assert 'keras.layers.Dropout(0.1, name="dropout")' in output


MODULE_INIT = """
    import tensorflow as tf

    weight_init = tf.truncated_normal_initializer(stddev=0.02)


    def dense(x, units, scope="dense"):
        with tf.variable_scope(scope):
            w = tf.get_variable("w", [x.get_shape()[-1], units], initializer=weight_init)
            return tf.matmul(x, w)


    def head(x, scope="head"):
        with tf.variable_scope(scope):
            return tf.layers.dense(x, 3, kernel_initializer=weight_init)
    """


def test_module_level_initializer_used_only_by_converted_code_is_converted_with_it():
    output = migrate(MODULE_INIT).output
    assert "weight_init = keras.initializers.TruncatedNormal(stddev=0.02)" in output
    assert "initializer=weight_init," in output
    assert 'keras.layers.Dense(3, kernel_initializer=weight_init, name="dense")' in output
    assert "return self.dense(x)" in output


def test_module_level_initializer_still_used_elsewhere_stays_and_is_inlined():
    source = MODULE_INIT + """

    def legacy(shape):
        return tf.get_variable("v", shape, initializer=weight_init)
    """
    result = migrate(source)
    assert "weight_init = tf.truncated_normal_initializer(stddev=0.02)" in result.output
    assert "initializer=keras.initializers.TruncatedNormal(stddev=0.02)" in result.output
    assert "return self.dense(x)" in result.output
    assert any("`weight_init` is a TF1 initializer" in f.message for f in result.findings)


def test_scope_or_literal_is_the_scope_parameter_with_that_default():
    source = """
        import tensorflow as tf


        def linear(x, size, scope=None):
            with tf.variable_scope(scope or "Linear"):
                w = tf.get_variable("Matrix", [x.get_shape()[1], size])
                return tf.matmul(x, w)
        """
    assert 'def __init__(self, size, name="Linear", **kwargs):' in migrate(source).output


def test_input_named_like_a_keras_reserved_call_argument_is_renamed():
    # Keras 3 gives `build` no shape for a call parameter named `args` (measured).
    source = """
        import tensorflow as tf


        def linear(args, size, scope="linear"):
            with tf.variable_scope(scope):
                w = tf.get_variable("w", [args.get_shape()[1], size])
                return tf.matmul(args, w)
        """
    output = migrate(source).output
    assert "def build(self, inputs_shape):" in output
    assert "def call(self, inputs):" in output
    assert "return tf.matmul(inputs, self.w)" in output


def test_tf_variable_in_a_scope_becomes_a_weight_and_needs_a_name():
    source = """
        import tensorflow as tf


        def bias(x, scope="bias"):
            with tf.variable_scope(scope):
                b = tf.Variable(tf.zeros([3]), name="b")
                return x + b
        """
    assert 'self.b = self.add_weight(name="b", shape=[3], initializer="zeros")' in migrate(source).output
    unnamed = migrate(source.replace(', name="b"', ""))
    assert "class Bias" not in unnamed.output
    assert any("has no `name=`" in f.message for f in unnamed.findings)


def test_function_used_as_a_value_is_refused_not_broken():
    for use in ("builders = {'dense': dense}\n", "__all__ = ['dense']\n", "head = dense\n"):
        source = textwrap.dedent(DENSE) + "\n\n" + use
        result = migrate_source(source, rules=[RULE], settings=Settings())
        assert result.output == source, use
        assert any("also used as a value" in f.message for f in result.findings), use
