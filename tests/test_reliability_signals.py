"""Faults mid-run (issue 8): Ctrl-C and SIGKILL during a real ``migrate-tf apply``.

A tree of 520 generated files (Keras 2 layers for MTF201, TF1 scoped functions for
MTF101) is migrated by ``python -m migrate_tf apply -j 2`` in its own process group.
Once some files are written (their mtimes change), the signal goes to the whole group
as a terminal's Ctrl-C would, or to the parent only (``kill -INT``), or SIGKILL to the
group. Afterwards every file must be its original bytes or its complete migration
(computed in this process), no worker may be left running, an interrupted run must
say exactly how many files it wrote, and a second ``apply`` must finish the job and
leave no temporary file behind (``reliability_cases.signal_problems``).
"""

from __future__ import annotations

import shutil
import signal

import pytest

import reliability_cases as matrix


@pytest.fixture(scope="module")
def generated_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("generated") / "tree"
    return root, matrix.generate_tree(root)


@pytest.mark.parametrize("how", matrix.SIGNALS)
def test_a_signal_mid_run_leaves_every_file_whole_and_a_second_apply_finishes(
    tmp_path, generated_tree, how
):
    source, expected = generated_tree
    root = tmp_path / "tree"
    shutil.copytree(source, root)
    run = matrix.signal_during_apply(root, expected, how)
    assert matrix.signal_problems(run, matrix.TREE_FILES) == [], run.stderr
    # The facts the problem list is made of, spelled out once more.
    assert run.neither == [] and run.migrated >= 10 and run.original > 0
    assert run.exit_code == (-signal.SIGKILL if how == "sigkill" else 130)
    assert (run.second_migrated, run.second_temporaries) == (matrix.TREE_FILES, [])


def test_the_signal_check_catches_a_half_written_file(tmp_path):
    run = matrix.SignalRun(
        "sigint-group", 130,
        "3 files scanned: 3 changed, 0 unchanged, 0 failed; 0 findings need a person\n"
        "migrate-tf: interrupted after 3 of 10 files; 3 files written, each complete; "
        "the other 7 files untouched (run apply again to finish)\n",
        3, 7, 2, ["pkg0/mod_001.py"], [], True, 0, "", 0, 10, [], [],
    )
    problems = matrix.signal_problems(run, 10)
    assert "1 files are neither original nor migrated" in problems
    assert "summary says 3 written of 10; 2 were" in problems
