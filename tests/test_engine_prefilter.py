"""The trigger pre-filter: files whose trigger tokens occur only in comments are not parsed."""

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


def test_a_token_in_a_docstring_still_triggers(engine_test_rules):
    # Docstrings are not told apart from code: the file is parsed (and left unchanged).
    data = b'"""OLD_NAME helpers."""\n'
    result = _run(data, engine_test_rules)
    assert result.parsed and result.output == data
