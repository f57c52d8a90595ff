"""What the golden-input mutations of tests/test_fuzz.py found in the rules.

Nesting a definition in ``if True:`` or in a class (a mutation that keeps the code's
meaning for these cases) turned two refusals into conversions that were wrong for the
reason the refusal gives. Both are fixed; these tests keep them fixed.
"""

from __future__ import annotations

from pathlib import Path


from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_bytes
from migrate_tf.rules import all_rules

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def migrate(source: str):
    return migrate_bytes(source.encode(), rules=all_rules(), settings=Settings())


def indented(text: str) -> str:
    return "".join("    " + line if line.strip() else line for line in text.splitlines(True))


def test_a_refused_module_defined_in_an_if_block_still_blocks_its_holder():
    before = (GOLDEN / "MTF202-nested-module/refuse-holder-of-refused-module/before.py").read_text()
    assert not migrate(before).changed  # the golden case: both refused
    head, lazy, rest = before.partition("class Lazy(tf.Module):")
    lazy_class, separator, tail = rest.partition("\n\n\nclass Pair")
    mutated = head + "if True:\n" + indented(lazy + lazy_class) + separator + tail
    compile(mutated, "mutated.py", "exec")
    result = migrate(mutated)
    assert "class Pair(tf.Module):" in result.output.decode()


def test_a_lambda_inside_the_call_of_a_nested_layer_class_is_still_refused():
    before = (GOLDEN / "MTF203-lambda-variables/module-function-in-layer-call/before.py").read_text()
    # The golden case: a top-level layer's call wraps the function; converted.
    assert "add_bias(inputs, bias=self.bias)" in migrate(before).output.decode()
    head, block, rest = before.partition("class Block(keras.layers.Layer):")
    mutated = head + "class Outer:\n" + indented(block + rest)
    compile(mutated, "mutated.py", "exec")
    result = migrate(mutated)
    assert "keras.layers.Lambda(add_bias)" in result.output.decode()
