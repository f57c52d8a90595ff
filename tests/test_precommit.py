"""The pre-commit hooks of ``.pre-commit-hooks.yaml``, run by pre-commit itself.

pre-commit installs a ``language: python`` hook by building a virtualenv and
``pip install``-ing this repository into it: that needs a package index and takes a
minute, so the default test runs each hook of ``.pre-commit-hooks.yaml`` unchanged
(same id, entry arguments, types, serial flag) as a ``repo: local`` hook with
``language: system`` and the entry's ``migrate-tf`` replaced by this interpreter's
``python -m migrate_tf``. What is tested is the manifest and pre-commit's handling
of it (file selection, pass_filenames, exit codes, "files were modified"), offline.
``MIGRATE_TF_TEST_TRY_REPO=1`` also runs ``pre-commit try-repo`` on a clone of this
repository, which builds the real ``language: python`` environment (network to the
package index needed).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrate_tf.config import Settings
from migrate_tf.engine.pipeline import migrate_bytes
from migrate_tf.rules import all_rules

yaml = pytest.importorskip("yaml")
pytest.importorskip("pre_commit")

REPO_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = REPO_ROOT / ".pre-commit-hooks.yaml"

TF1 = '''\
import tensorflow as tf


def dense(x, units, scope="dense"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1].value, units])
        return tf.matmul(x, w)
'''
CLEAN = "def add(a, b):\n    return a + b\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def environment(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.pop("NO_COLOR", None)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    return env


def pre_commit(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300,
    )


def local_config(manifest: dict[str, dict]) -> str:
    """The manifest's hooks as `repo: local` hooks run by this interpreter."""
    local = []
    for hook in manifest.values():
        entry = shlex.split(hook["entry"])
        assert entry[0] == "migrate-tf"
        hook = dict(hook, language="system")
        hook["entry"] = shlex.join([sys.executable, "-m", "migrate_tf", *entry[1:]])
        local.append(hook)
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]}, sort_keys=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "commit.gpgsign", "false")
    (repo / "model").mkdir()
    (repo / "model" / "blocks.py").write_text(TF1)
    (repo / "model" / "util.py").write_text(CLEAN)
    (repo / "README.txt").write_text("tf.get_variable is not Python here\n")
    (repo / ".pre-commit-config.yaml").write_text(local_config(hooks()))
    git(repo, "add", ".")
    return repo


def test_the_manifest_is_valid_for_pre_commit():
    from pre_commit.clientlib import load_manifest

    loaded = {hook["id"]: hook for hook in load_manifest(str(MANIFEST))}
    assert set(loaded) == {"migrate-tf-check", "migrate-tf"}
    for hook in loaded.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["python", "jupyter"]
        assert hook["pass_filenames"] is True
    assert shlex.split(loaded["migrate-tf-check"]["entry"])[:3] == ["migrate-tf", "diff", "--check"]
    assert shlex.split(loaded["migrate-tf"]["entry"])[:2] == ["migrate-tf", "apply"]
    # `migrate-tf` is the console script the package installs.
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    assert 'migrate-tf = "migrate_tf.cli:main"' in pyproject


def test_check_fails_on_tf1_code_and_writes_nothing(repo, tmp_path):
    env = environment(tmp_path)
    result = pre_commit(repo, env, "run", "migrate-tf-check", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "migrate-tf (check)" in result.stdout and "Failed" in result.stdout
    assert "+class Dense(keras.layers.Layer):" in result.stdout
    assert "2 files scanned: 1 would change, 1 unchanged" in result.stdout  # not README.txt
    assert (repo / "model" / "blocks.py").read_text() == TF1


def test_apply_rewrites_then_both_hooks_pass(repo, tmp_path):
    env = environment(tmp_path)
    result = pre_commit(repo, env, "run", "migrate-tf", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    migrated = (repo / "model" / "blocks.py").read_text()
    assert "class Dense(keras.layers.Layer):" in migrated
    assert (repo / "model" / "util.py").read_text() == CLEAN
    # Exactly what `migrate-tf apply` writes (its pipeline, in this process).
    expected = migrate_bytes(TF1.encode(), rules=all_rules(), settings=Settings())
    assert migrated.encode() == expected.output

    git(repo, "add", ".")
    again = pre_commit(repo, env, "run", "--all-files")  # both hooks
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("Passed") == 2


def test_only_python_files_and_notebooks_are_passed_and_the_project_config_applies(
    repo, tmp_path
):
    (repo / "pyproject.toml").write_text('[tool.migrate-tf]\nignore = ["MTF101"]\n')
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {},
             "outputs": [], "source": TF1.splitlines(keepends=True)},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    (repo / "model" / "explore.ipynb").write_text(json.dumps(notebook, indent=1) + "\n")
    git(repo, "add", ".")
    env = environment(tmp_path)
    result = pre_commit(repo, env, "run", "migrate-tf-check", "--all-files", "--verbose")
    assert result.returncode == 0, result.stdout + result.stderr
    # blocks.py, util.py and explore.ipynb were passed (not README.txt or
    # pyproject.toml); MTF101 is ignored, so the notebook's TF1 function stays.
    assert "3 files scanned: 0 would change, 3 unchanged" in result.stdout

    (repo / "pyproject.toml").write_text("[tool.migrate-tf]\n")
    git(repo, "add", ".")
    result = pre_commit(repo, env, "run", "migrate-tf-check", "--all-files", "--verbose")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "explore.ipynb:cell 1" in result.stdout


@pytest.mark.skipif(
    os.environ.get("MIGRATE_TF_TEST_TRY_REPO") != "1",
    reason="builds the real language: python environment (set MIGRATE_TF_TEST_TRY_REPO=1)",
)
def test_try_repo_builds_and_runs_the_real_hook(repo, tmp_path):
    clone = tmp_path / "migrate-tf"
    subprocess.run(["git", "clone", "-q", str(REPO_ROOT), str(clone)], check=True)
    shutil.copy(MANIFEST, clone / MANIFEST.name)
    git(clone, "add", MANIFEST.name)
    git(clone, "-c", "user.email=t@example.com", "-c", "user.name=t",
        "commit", "-q", "--allow-empty", "-m", "the manifest under test")
    env = environment(tmp_path)
    env.pop("PYTHONPATH")
    result = pre_commit(repo, env, "try-repo", str(clone), "migrate-tf-check", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "+class Dense(keras.layers.Layer):" in result.stdout
