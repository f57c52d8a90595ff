"""The trigger pre-filter: files whose trigger tokens occur only in comments or string
literals are not parsed by libcst."""

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_bytes


def _run(data: bytes, rules):
    return migrate_bytes(data, rules=rules, settings=Settings())


def test_a_token_only_in_comments_does_not_trigger_a_parse(engine_test_rules):
    data = b"# OLD_NAME was renamed long ago\nx = 1  # see OLD_NAME\r\n    # OLD_NAME\n"
    result = _run(data, engine_test_rules)
    assert not result.parsed and result.output == data and result.error is None


def test_a_token_in_code_and_in_a_comment_triggers(engine_test_rules):
    result = _run(b"# OLD_NAME\nx = OLD_NAME\n", engine_test_rules)
    assert result.parsed and result.output == b"# OLD_NAME\nx = NEW_NAME\n"


def test_a_hash_inside_a_string_does_not_hide_code(engine_test_rules):
    result = _run(b"x = '#'; y = OLD_NAME\n", engine_test_rules)
    assert result.parsed and result.output == b"x = '#'; y = NEW_NAME\n"


def test_a_line_inside_a_multiline_string_does_not_hide_code_after_it(engine_test_rules):
    data = b'x = """\n# text """; y = OLD_NAME\n'
    result = _run(data, engine_test_rules)
    assert result.parsed and result.output == b'x = """\n# text """; y = NEW_NAME\n'


def test_a_token_only_in_docstrings_strings_and_comments_after_quotes_does_not_trigger(
    engine_test_rules,
):
    data = (
        b'"""OLD_NAME helpers.\r\n\r\nMore about OLD_NAME."""\r\n'
        b"USAGE = 'set OLD_NAME' + \"OLD_NAME\"  # it's OLD_NAME\r\n"
        b"def f():\r\n    '''OLD_NAME'''\r\n    return b'OLD_NAME'\r\n"
    )
    result = _run(data, engine_test_rules)
    assert not result.parsed and result.output == data and result.error is None


def test_a_token_in_an_f_string_counts_as_code(engine_test_rules):
    data = b"x = f'{OLD_NAME}'\n"
    result = _run(data, engine_test_rules)
    assert result.parsed and result.output == b"x = f'{NEW_NAME}'\n"


def test_a_token_after_a_string_holding_a_hash_is_code(engine_test_rules):
    data = "s = '# é'; x = OLD_NAME\n".encode("utf-8")
    result = _run(data, engine_test_rules)
    assert result.parsed and result.output == "s = '# é'; x = NEW_NAME\n".encode("utf-8")


def test_a_file_that_does_not_compile_still_fails_with_its_syntax_error(engine_test_rules):
    result = _run(b"# OLD_NAME\nx = (OLD_NAME\n", engine_test_rules)
    assert result.error is not None and "cannot parse" in result.error


def test_a_token_inside_a_longer_name_does_not_trigger_a_parse(engine_test_rules):
    data = b"OLD_NAMES = [1]\nx = MY_OLD_NAME + OLD_NAMES[0]\n"
    result = _run(data, engine_test_rules)
    assert not result.parsed and result.output == data and result.error is None


def test_real_rule_triggers_match_whole_words_only():
    from migrate_tf.rules import get_rule
    from migrate_tf.rules.base import triggered_by

    manual_tracking, variables_in_call = get_rule("MTF204"), get_rule("MTF206")
    rules = (manual_tracking, variables_in_call)
    keras = b"import keras\n"
    assert triggered_by(rules, keras + b"loss = compute(sample_weights, class_weights)\n") == []
    assert triggered_by(rules, keras + b"def callback(event):\n    pass\n") == []
    assert triggered_by(rules, keras + b"self._weights.append(w)\n") == [manual_tracking]
    assert triggered_by(rules, keras + b"    def call(self, x):\n") == [variables_in_call]


def test_a_file_that_names_neither_tensorflow_nor_keras_is_left_before_its_triggers():
    from migrate_tf.rules import all_rules
    from migrate_tf.rules.base import triggered_by

    code = b"class Weights(Layer):\n    def call(self, x):\n        self._weights.append(Variable(1))\n"
    assert triggered_by(all_rules(), code) == []
    assert len(triggered_by(all_rules(), b"from tensorflow import keras\n" + code)) >= 3
