"""Unified diffs of migrated files, as ``git diff`` would show them.

The diff is made from the decoded text (so a latin-1 or BOM file diffs as text, not
as escaped bytes), with ``a/``/``b/`` headers and three lines of context. Lines keep
their own endings, so a CRLF file's diff still applies with ``patch`` or ``git
apply``. Colour is for terminals only and honours ``NO_COLOR``.
"""

from __future__ import annotations

import difflib
import os
import re
CONTEXT_LINES = 3
NO_NEWLINE = "\\ No newline at end of file\n"

# Only the line endings Python itself recognises; str.splitlines would also split on
# form feeds and Unicode separators and so misnumber lines.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")

_RESET = "\x1b[0m"
_STYLES = {
    "header": "\x1b[1m",
    "hunk": "\x1b[36m",
    "removed": "\x1b[31m",
    "added": "\x1b[32m",
}


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split only at ``\\n``, ``\\r\\n`` and ``\\r``."""
    return _LINE.findall(text)


def _decode(data: bytes) -> str:
    # Imported here: the pipeline pulls in libcst, and this module is cheap otherwise.
    from migrate_tf.engine.pipeline import DecodeError, decode_source

    try:
        return decode_source(data).text
    except DecodeError:
        return data.decode("utf-8", errors="replace")


def _header_path(path: str) -> str:
    return path.replace(os.sep, "/").lstrip("/")


def unified_diff_text(path: str, before: str, after: str) -> str:
    """The diff between two texts of ``path``; "" when they are equal."""
    if before == after:
        return ""
    name = _header_path(path)
    lines = difflib.unified_diff(
        split_lines(before),
        split_lines(after),
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
        n=CONTEXT_LINES,
    )
    pieces = []
    for line in lines:
        if line.startswith(("---", "+++")) and not line.endswith("\n"):
            # difflib leaves the header line endings to the caller.
            line += "\n"
        if not line.endswith(("\n", "\r")):
            # The last line of a file without a final newline, marked as diff does.
            line += "\n" + NO_NEWLINE
        pieces.append(line)
    return "".join(pieces)


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """The diff between two versions of a file's bytes, decoded as Python source
    (a notebook's: one diff per changed cell, see migrate_tf.engine.notebook)."""
    if before == after:
        return ""
    if path.lower().endswith(".ipynb"):
        from migrate_tf.engine.notebook import notebook_diff

        return notebook_diff(path, before, after)
    return unified_diff_text(path, _decode(before), _decode(after))


def _style_line(line: str) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    if line.startswith(("--- ", "+++ ")):
        style = _STYLES["header"]
    elif line.startswith("@@"):
        style = _STYLES["hunk"]
    elif line.startswith("-"):
        style = _STYLES["removed"]
    elif line.startswith("+"):
        style = _STYLES["added"]
    else:
        return line
    return f"{style}{body}{_RESET}{ending}"


def colorize(diff: str) -> str:
    """The diff with ANSI colours: bold headers, cyan hunks, red and green lines."""
    return "".join(_style_line(line) for line in split_lines(diff))


def use_color(stream, environ: dict[str, str] | None = None) -> bool:
    """Colour only for a terminal, and never when ``NO_COLOR`` is set (no-color.org)."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


__all__ = [
    "colorize",
    "split_lines",
    "unified_diff",
    "unified_diff_text",
    "use_color",
]
