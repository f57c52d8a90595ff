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


GITIGNORE_LINES = [
    "# a comment", "", "*.pyc", "__pycache__/", "/build/", "dist", "!keep.py", "*_gen.py",
    "!/pkg/*_gen.py", "docs/*.py", "**/tmp_*.py", "a/**/b.py", "[ab]*.py", "[!c]x.py",
    "\\#literal.py", "\\!bang.py", "trailing.py   ", "sub/", "*", "!*/", "!*.py", "?.py",
    "deep/**", "name[0-9].py", "x\\[1\\].py",
]
RELATIVE_PATHS = [
    "a.py", "x.pyc", "__pycache__/", "pkg/__pycache__/", "build/", "pkg/build/", "dist",
    "dist/", "pkg/dist/x.py", "keep.py", "m_gen.py", "pkg/m_gen.py", "docs/conf.py",
    "docs/sub/x.py", "tmp_a.py", "q/tmp_b.py", "a/b.py", "a/x/y/b.py", "ab.py", "cx.py",
    "dx.py", "#literal.py", "!bang.py", "trailing.py", "sub/", "sub", "z/sub/", "y.py",
    "deep/x.py", "deep/", "name7.py", "x[1].py", "/a.py", "./a.py", "sub/./a.py", "é.py",
]


def test_an_ignore_file_gives_pathspecs_verdict_for_every_path():
    import random

    import pathspec

    from migrate_tf.engine.discovery import _IgnoreFile

    generator = random.Random(7)
    for _ in range(300):
        lines = generator.sample(GITIGNORE_LINES, generator.randint(1, 8))
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        ignore = _IgnoreFile("/base", spec)
        for relative in RELATIVE_PATHS:
            assert ignore.verdict(relative) == spec.check_file(relative).include, (lines, relative)


def test_an_ignore_file_of_comments_only_is_not_kept(tmp_path):
    from migrate_tf.engine.discovery import _read_spec

    (tmp_path / "exclude").write_text("# git ls-files --others --exclude-from=...\n\n# *.o\n")
    (tmp_path / "gitignore").write_text("# generated\n*.gen.py\n")
    assert _read_spec(str(tmp_path / "exclude")) is None
    assert _read_spec(str(tmp_path / "gitignore")) is not None
