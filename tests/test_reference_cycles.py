"""A file's migration leaves no reference cycles holding syntax trees behind.

A cycle (a refusal kept with its traceback, a recursive closure over a writer) keeps
the file's trees alive until the garbage collector's full pass, and every full pass
walks whatever is alive: those passes were a fifth of a TF file's migration time.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_source
from migrate_tf.rules import select_rules

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
CASES = sorted(path.parent for path in GOLDEN.glob("MTF*-*/*/before.py"))


def _ours(obj) -> bool:
    module = type(obj).__module__ or ""
    return module.startswith(("libcst", "migrate_tf")) or type(obj).__name__ in {
        "frame",
        "traceback",
    }


def _cyclic_garbage(function) -> list:
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        function()
        gc.collect()
        return [obj for obj in gc.garbage if _ours(obj)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()


@pytest.mark.parametrize("rule_dir", sorted({case.parent.name for case in CASES}))
def test_migration_leaves_no_cycles(rule_dir):
    rules = select_rules()
    cases = [case for case in CASES if case.parent.name == rule_dir]

    def run():
        for case in cases:
            source = (case / "before.py").read_text(encoding="utf-8")
            migrate_source(source, rules=rules, settings=Settings(), filename="before.py")

    run()  # caches filled, imports done
    garbage = _cyclic_garbage(run)
    kinds = sorted({type(obj).__qualname__ for obj in garbage})
    assert not garbage, f"reference cycles left behind: {kinds[:20]}"


def test_migration_pauses_the_collector_and_restores_its_state(monkeypatch):
    """The collector is off while a file migrates (nothing cyclic to collect, see
    above) and as it was afterwards, whatever happened."""
    from migrate_tf.engine import pipeline

    seen = []
    real = pipeline._migrate_source

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_migrate_source", spy)
    source = (CASES[0] / "before.py").read_text(encoding="utf-8")
    rules = select_rules()
    assert gc.isenabled()
    migrate_source(source, rules=rules, settings=Settings())
    assert gc.isenabled() and seen == [False]
    gc.disable()
    try:
        migrate_source(source, rules=rules, settings=Settings())
        assert not gc.isenabled() and seen == [False, False]
    finally:
        gc.enable()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "_migrate_source", interrupted)
    with pytest.raises(KeyboardInterrupt):
        migrate_source(source, rules=rules, settings=Settings())
    assert gc.isenabled()
