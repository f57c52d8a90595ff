"""The language server's worker process for migrations (migrate_tf.lsp.worker)."""

from __future__ import annotations

import os
import signal

import pytest

from migrate_tf.lsp import worker
from migrate_tf.lsp.analysis import Projects, analyse
from migrate_tf.lsp.worker import Migrations

SOURCE = '''\
import tensorflow as tf


def dense(x, units, scope="dense"):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [x.get_shape()[-1].value, units])
        return tf.matmul(x, w)
'''


@pytest.fixture
def migrations():
    running = Migrations()
    yield running
    running.close()


def test_migrations_run_in_another_process_and_give_what_the_server_process_would(
    migrations, tmp_path
):
    (tmp_path / "pyproject.toml").write_text("[tool.migrate-tf]\n")
    assert migrations.run(os.getpid) != os.getpid()
    there = migrations.run(worker.analyse_document, SOURCE, tmp_path / "ops.py", 3, None)
    here = analyse(SOURCE, tmp_path / "ops.py", projects=Projects(), version=3)
    assert there.version == 3 and there.changed
    assert there.output == here.output
    assert there.conversions == here.conversions and there.findings == here.findings
    assert there.memo["fix_all"]  # warmed in the worker for code actions
    [conversion] = there.conversions
    edits = migrations.run(worker.construct_edits, there, conversion)
    assert edits == here.fix_all_edits()  # the only conversion: the whole migration


def test_a_worker_that_died_is_replaced(migrations):
    first = migrations.run(os.getpid)
    os.kill(first, signal.SIGKILL)
    second = migrations.run(os.getpid)
    assert second not in (first, os.getpid())


def test_without_a_worker_process_migrations_run_in_the_calling_thread():
    migrations = Migrations(use_process=False)
    assert migrations.run(os.getpid) == os.getpid()
    closed = Migrations()
    closed.close()
    assert closed.run(os.getpid) == os.getpid()


def test_an_error_in_the_worker_reaches_the_caller(migrations):
    with pytest.raises(ZeroDivisionError):
        migrations.run(divmod, 1, 0)


def test_the_worker_never_writes_to_the_servers_stdout(migrations, capfd):
    # The server's stdout carries the LSP messages; the worker inherits it.
    migrations.run(print, "from the worker")
    captured = capfd.readouterr()
    assert "from the worker" not in captured.out
    assert "from the worker" in captured.err
