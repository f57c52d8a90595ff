"""File discovery: directories, excludes, .gitignore, skipped directories, symlinks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from migrate_tf.engine.discovery import (
    MissingPathsError,
    discover,
    is_excluded,
)


def make(root: Path, *relative: str, content: str = "x = 1\n") -> None:
    for name in relative:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def found(root: Path, *paths: str | Path, **options) -> list[str]:
    """Discovered files relative to ``root`` (discovery runs from inside it)."""
    previous = os.getcwd()
    os.chdir(root)
    try:
        result = discover([str(p) for p in (paths or (".",))], **options)
    finally:
        os.chdir(previous)
    assert result.errors == []
    return [Path(p).as_posix() for p in result.files]


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def test_directories_are_walked_for_py_files_only_and_sorted(tmp_path):
    make(tmp_path, "b.py", "a.py", "pkg/z.py", "pkg/sub/y.py", "notes.txt", "script.pyw", "pkg-a.py")
    assert found(tmp_path) == ["a.py", "b.py", "pkg/sub/y.py", "pkg/z.py", "pkg-a.py"]


def test_paths_keep_the_spelling_the_user_gave(tmp_path):
    make(tmp_path, "src/a.py")
    assert found(tmp_path, "./src") == ["src/a.py"]
    assert discover([str(tmp_path / "src")]).files == [str(tmp_path / "src" / "a.py")]


def test_explicit_file_is_taken_whatever_its_extension(tmp_path):
    make(tmp_path, "tool.txt", "script")
    assert found(tmp_path, "tool.txt", "script") == ["script", "tool.txt"]


def test_explicit_file_is_still_subject_to_exclude(tmp_path):
    make(tmp_path, "tests/test_a.py", "b.py")
    assert found(tmp_path, "tests/test_a.py", "b.py", exclude=["tests"]) == ["b.py"]


def test_missing_path_is_reported_before_anything_is_walked(tmp_path):
    make(tmp_path, "a.py")
    with pytest.raises(MissingPathsError) as raised:
        discover([str(tmp_path / "a.py"), str(tmp_path / "nope"), str(tmp_path / "gone.py")])
    assert raised.value.paths == [str(tmp_path / "nope"), str(tmp_path / "gone.py")]


def test_zero_matching_files_is_an_empty_result_not_an_error(tmp_path):
    make(tmp_path, "README.md", "data/x.csv")
    result = discover([str(tmp_path)])
    assert result.files == [] and result.errors == []


@pytest.mark.parametrize(
    "directory",
    [
        ".git", ".hg", ".svn", "__pycache__", "node_modules", "build", "dist", ".tox",
        ".nox", ".eggs", "pkg.egg-info", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        "lib/site-packages",
    ],
)
def test_tool_and_build_directories_are_always_skipped(tmp_path, directory):
    make(tmp_path, "keep.py", f"{directory}/skipped.py", f"{directory}/deeper/skipped.py")
    assert found(tmp_path) == ["keep.py"]


@pytest.mark.parametrize("name", [".venv", "venv", "env", "my-environment"])
def test_any_virtual_environment_is_skipped_by_its_pyvenv_cfg(tmp_path, name):
    make(tmp_path, "keep.py", f"{name}/lib/python3.11/mod.py")
    (tmp_path / name / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert found(tmp_path) == ["keep.py"]


def test_an_ordinary_directory_called_env_is_walked(tmp_path):
    make(tmp_path, "env/settings.py")
    assert found(tmp_path) == ["env/settings.py"]


def test_an_explicitly_named_build_directory_is_walked(tmp_path):
    make(tmp_path, "build/gen.py")
    assert found(tmp_path, "build") == ["build/gen.py"]


def test_exclude_matches_names_at_any_depth(tmp_path):
    make(tmp_path, "a.py", "tests/test_a.py", "src/tests/test_b.py", "src/m.py")
    assert found(tmp_path, exclude=["tests"]) == ["a.py", "src/m.py"]


def test_exclude_matches_globs_relative_to_the_root(tmp_path):
    make(tmp_path, "legacy/old.py", "legacy/keep.txt", "src/legacy.py", "src/new.py")
    assert found(tmp_path, exclude=["legacy/*.py"]) == ["src/legacy.py", "src/new.py"]
    assert found(tmp_path, "src", exclude=["*/new.py", "./legacy.py"]) == []


def test_exclude_matches_basenames_with_wildcards(tmp_path):
    make(tmp_path, "a.py", "a_pb2.py", "pkg/b_pb2.py")
    assert found(tmp_path, exclude=["*_pb2.py"]) == ["a.py"]


def test_exclude_globs_read_relative_to_the_project_directory(tmp_path):
    project = tmp_path / "project"
    make(project, "src/legacy/old.py", "src/new.py")
    assert found(project / "src", ".", exclude=["src/legacy"], project_dir=project) == ["new.py"]


def test_exclude_does_not_match_directories_above_the_root(tmp_path):
    # The user's checkout lives under a directory called "tests": not a reason to skip it.
    make(tmp_path, "tests/checkout/a.py")
    assert discover([str(tmp_path / "tests" / "checkout")], exclude=["tests"]).files == [
        str(tmp_path / "tests" / "checkout" / "a.py")
    ]


def test_gitignore_root_nested_and_info_exclude_follow_git_semantics(tmp_path):
    git_init(tmp_path)
    (tmp_path / ".gitignore").write_text("generated/\n*_gen.py\n!keep_gen.py\n/top_only.py\n")
    (tmp_path / ".git" / "info" / "exclude").write_text("private.py\n")
    make(
        tmp_path,
        "a.py", "x_gen.py", "keep_gen.py", "top_only.py", "private.py",
        "generated/g.py", "pkg/top_only.py", "pkg/private.py",
        "pkg/local.py", "pkg/sub/local.py", "pkg/sub/other.py", "pkg/sub/y_gen.py",
    )
    # Nested file: relative to its directory, and a deeper file overrides a shallower one.
    (tmp_path / "pkg" / ".gitignore").write_text("/local.py\n!y_gen.py\n")
    assert found(tmp_path) == [
        "a.py", "keep_gen.py", "pkg/sub/local.py", "pkg/sub/other.py", "pkg/sub/y_gen.py",
        "pkg/top_only.py",
    ]


def test_discovery_agrees_with_git_on_untracked_python_files(tmp_path):
    git_init(tmp_path)
    (tmp_path / ".gitignore").write_text("*.log\nout/\ndocs/*.py\n!docs/conf.py\n**/tmp_*.py\n")
    (tmp_path / ".git" / "info" / "exclude").write_text("scratch/\n")
    make(
        tmp_path,
        "a.py", "out/b.py", "docs/conf.py", "docs/other.py", "docs/deep/ok.py",
        "pkg/tmp_1.py", "pkg/deep/tmp_2.py", "pkg/mod.py", "scratch/s.py", "lib/x.py",
    )
    (tmp_path / "lib" / ".gitignore").write_text("*\n!*.py\n")
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "--", "*.py"],
        cwd=tmp_path, check=True, capture_output=True, text=True,
    ).stdout.split()
    assert found(tmp_path) == sorted(listed, key=lambda p: Path(p).parts)


def test_ancestor_gitignore_applies_when_the_root_is_a_subdirectory(tmp_path):
    git_init(tmp_path)
    (tmp_path / ".gitignore").write_text("*_gen.py\n")
    (tmp_path / "src" / ".gitignore").parent.mkdir()
    (tmp_path / "src" / ".gitignore").write_text("skip.py\n")
    make(tmp_path, "src/pkg/a.py", "src/pkg/b_gen.py", "src/pkg/skip.py")
    assert found(tmp_path / "src" / "pkg") == ["a.py"]


def test_gitignore_is_not_read_outside_a_git_work_tree(tmp_path):
    (tmp_path / ".gitignore").write_text("*.py\n")
    make(tmp_path, "a.py")
    assert found(tmp_path) == ["a.py"]


def test_an_explicitly_named_gitignored_directory_is_walked(tmp_path):
    git_init(tmp_path)
    (tmp_path / ".gitignore").write_text("generated/\n")
    make(tmp_path, "generated/a.py", "generated/skip.py")
    (tmp_path / "generated" / ".gitignore").write_text("skip.py\n")
    assert found(tmp_path, "generated") == ["generated/a.py"]


def test_a_nested_repository_does_not_inherit_the_outer_gitignore(tmp_path):
    git_init(tmp_path)
    (tmp_path / ".gitignore").write_text("vendored_*.py\n")
    git_init(tmp_path / "sub")
    make(tmp_path, "vendored_a.py", "sub/vendored_b.py")
    assert found(tmp_path) == ["sub/vendored_b.py"]


def test_symlinked_file_and_directory_outside_the_roots_are_skipped(tmp_path):
    outside = tmp_path / "outside"
    make(outside, "secret.py", "lib/mod.py")
    project = tmp_path / "project"
    make(project, "a.py")
    (project / "linked.py").symlink_to(outside / "secret.py")
    (project / "linked_dir").symlink_to(outside / "lib")
    assert found(project) == ["a.py"]


def test_symlinks_inside_the_root_list_each_real_file_once_under_its_real_path(tmp_path):
    make(tmp_path, "pkg/mod.py")
    (tmp_path / "alias.py").symlink_to(tmp_path / "pkg" / "mod.py")
    (tmp_path / "aaa_link").symlink_to(tmp_path / "pkg")
    assert found(tmp_path) == ["pkg/mod.py"]


def test_a_symlink_between_roots_is_followed(tmp_path):
    make(tmp_path, "shared/util.py", "app/main.py")
    (tmp_path / "app" / "util_link").symlink_to(tmp_path / "shared")
    assert found(tmp_path, "app", "shared") == ["app/main.py", "shared/util.py"]
    # Only the app root given: shared/ is outside it.
    assert found(tmp_path, "app") == ["app/main.py"]


def test_symlink_cycles_terminate(tmp_path):
    make(tmp_path, "a/mod.py")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "up").symlink_to(tmp_path)
    (tmp_path / "self").symlink_to(tmp_path / "self")  # dangling self-loop
    assert found(tmp_path) == ["a/mod.py"]


def test_unreadable_directory_is_an_error_line_and_the_walk_goes_on(tmp_path, monkeypatch):
    make(tmp_path, "a.py", "locked/b.py", "z/c.py")
    real_scandir = os.scandir

    def scandir(path):
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.chdir(tmp_path)
    result = discover(["."])
    assert result.files == ["a.py", "z/c.py"]
    assert [(e.path, e.reason) for e in result.errors] == [
        ("locked", "cannot read directory: Permission denied")
    ]


def test_multiple_roots_overlapping_list_each_file_once(tmp_path):
    make(tmp_path, "src/pkg/a.py", "src/b.py")
    assert found(tmp_path, "src/pkg", "src", "src/b.py") == ["src/b.py", "src/pkg/a.py"]


def test_is_excluded_checks_a_single_named_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert is_excluded("legacy/old.py", ["legacy/*.py"])
    assert is_excluded(str(tmp_path / "tests" / "t.py"), ["tests"])
    assert not is_excluded("src/new.py", ["legacy/*.py", "tests"])


def test_a_fifo_named_on_the_command_line_is_an_error_not_a_hang(tmp_path):
    import sys

    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    (tmp_path / "ok.py").write_text("x = 1\n")
    process = subprocess.run(
        [sys.executable, "-m", "migrate_tf", "diff", "--no-progress", str(fifo),
         str(tmp_path / "ok.py")],
        capture_output=True, text=True, timeout=60,
    )
    assert process.returncode == 1
    assert f"{fifo}: error: not a regular file" in process.stderr + process.stdout
    assert "2 files scanned: 0 would change, 1 unchanged, 1 failed" in process.stderr
