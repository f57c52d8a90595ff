"""Discovery's fast paths give exactly what the plain ways (``Path``, pathspec) give."""

from __future__ import annotations

import itertools
from pathlib import Path

from migrate_tf.engine.discovery import path_sort_key


def test_path_sort_key_is_path_parts_for_any_spelling():
    pieces = ["a", "b.py", ".", "..", "/", "//", "", " ", "\\", "é", "\x00"]
    for count in range(5):
        for combination in itertools.product(pieces, repeat=count):
            path = "".join(combination)
            assert path_sort_key(path) == Path(path).parts, path


def test_path_sort_key_orders_component_by_component():
    paths = ["a-b.py", "a/b.py", "a/b/c.py", "a.py", "/x/y.py", "./a/z.py"]
    assert sorted(paths, key=path_sort_key) == sorted(paths, key=lambda p: Path(p).parts)
    assert path_sort_key(Path("a/b.py")) == ("a", "b.py")
