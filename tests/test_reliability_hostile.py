"""The verify harness under hostile code, through the real command line (issue 8).

``tests/test_harness_equivalence.py`` drives the harness through its Python API on a
shared worker pool. Here ``migrate-tf verify OLD NEW`` runs as a user would run it, in
a session of its own, over six conversions: new code that hangs (after starting a
child process of its own), calls ``sys.exit``, prints to stdout, allocates without
bound; old code that calls ``os.abort()``; and a good case after them. Each must be
reported on its own row with its reason, the good ones must pass, and once the command
has exited no process it started may be left (not a worker, not the hanging code's
child), whatever session it moved to.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

HOSTILE = {
    # name: (statement in the old function, statement in the new layer's call)
    "hang": ("", "_spawn_and_hang()"),
    "leave": ("", "sys.exit(3)"),
    "chatty": ("", "print('hello from the new code')"),
    "greedy": ("", "_allocate_without_bound()"),
    "old_crash": ("os.abort()", ""),
    "fine": ("", ""),
}
EXPECTED = {
    "hang": "FAIL: the new code failed under Keras 3: timed out after 4 s",
    "leave": "FAIL: the new code failed under Keras 3: the code called sys.exit(3)",
    "chatty": "pass",
    "greedy": "FAIL: the new code failed under Keras 3: ran out of memory (limit 4096 MB",
    "old_crash": "unverified: the old code failed under TF1 (compat.v1 graph): the process aborted",
    "fine": "pass",
}


def write_project(root: Path, pid_file: Path) -> None:
    old = ["import os", "", "import tensorflow as tf", ""]
    new = [
        "import os", "import subprocess", "import sys", "", "import keras", "", "",
        "def _spawn_and_hang():",
        "    child = subprocess.Popen(['sleep', '300'])",
        f"    with open({str(pid_file)!r}, 'w') as handle:",
        "        handle.write(str(child.pid))",
        "    while True:",
        "        pass",
        "", "",
        "def _allocate_without_bound():",
        "    chunks = []",
        "    while True:",
        "        chunks.append(bytes(256 * 1024 * 1024))",
        "",
    ]
    cases = []
    for name, (old_statement, new_statement) in HOSTILE.items():
        class_name = "".join(part.capitalize() for part in name.split("_"))
        old += [
            "", f'def {name}(x, scope="{name}"):',
            "    with tf.variable_scope(scope):",
            '        v = tf.get_variable("v", [4], initializer=tf.ones_initializer())',
            f"        {old_statement}" if old_statement else "",
            "        return x * v", "",
        ]
        new += [
            "", f"class {class_name}(keras.layers.Layer):",
            f'    def __init__(self, name="{name}", **kwargs):',
            "        super().__init__(name=name, **kwargs)", "",
            "    def build(self, x_shape):",
            '        self.v = self.add_weight(name="v", shape=[4], initializer="ones")', "",
            "    def call(self, x):",
            f"        {new_statement}" if new_statement else "",
            "        return x * self.v", "",
        ]
        cases += [f"[{name}]", 'x = "float32[2, 4]"', ""]
    (root / "old.py").write_text("\n".join(old), encoding="utf-8")
    (root / "new.py").write_text("\n".join(new), encoding="utf-8")
    (root / "migrate-tf.cases.toml").write_text("\n".join(cases), encoding="utf-8")


# The command runs under a small wrapper that is a child subreaper (PR_SET_CHILD_SUBREAPER):
# any process the command started, however deep and in whatever session (the workers
# have sessions of their own), is re-parented to the wrapper if it outlives the
# command. Once the command has exited, the wrapper gives them 5 s to go, then lists
# its children (what the command left behind), kills them and reports them.
SUBREAPER = """
import ctypes, json, os, signal, subprocess, sys, time
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("cannot become a child subreaper: " + os.strerror(ctypes.get_errno()))
report, command = sys.argv[1], sys.argv[2:]
code = subprocess.call(command)

def children():
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                line = handle.read().replace(bytes(1), b" ").decode().strip()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] not in ("Z", "X"):
            found.append((int(entry), line))
    return found

def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return

deadline = time.monotonic() + 5
while True:
    reap()
    left = children()
    if not left or time.monotonic() > deadline:
        break
    time.sleep(0.1)
for pid, _ in left:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
time.sleep(0.2)
reap()
with open(report, "w") as handle:
    json.dump(["%d %s" % child for child in left], handle)
sys.exit(code)
"""


@pytest.fixture(scope="module")
def verify_run(tmp_path_factory):
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to find the processes left behind")
    root = tmp_path_factory.mktemp("hostile-cli")
    pid_file = root / "sleep.pid"
    report = root / "left.json"
    write_project(root, pid_file)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    env.pop("TF_USE_LEGACY_KERAS", None)
    command = [sys.executable, "-m", "migrate_tf", "verify", "old.py", "new.py", "--timeout", "4"]
    process = subprocess.Popen(
        [sys.executable, "-c", SUBREAPER, str(report), *command],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=600)
    finally:
        # Whatever the outcome, leave nothing running on the machine.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    if not report.exists():
        pytest.fail(f"the subreaper wrapper did not report: {stderr[-2000:]}")
    sleeper = int(pid_file.read_text()) if pid_file.exists() else None
    return {"code": process.returncode, "stdout": stdout, "stderr": stderr,
            "left": json.loads(report.read_text()), "sleeper": sleeper}


def row_of(stdout: str, name: str) -> str:
    class_name = "".join(part.capitalize() for part in name.split("_"))
    pattern = re.compile(rf"^old\.py:\d+ {name} -> {class_name}\s.*$", re.MULTILINE)
    rows = pattern.findall(stdout)
    assert len(rows) == 1, stdout
    return rows[0]


@pytest.mark.parametrize("name", HOSTILE)
def test_each_hostile_case_is_reported_on_its_own_row_with_its_reason(verify_run, name):
    row = row_of(verify_run["stdout"], name)
    assert re.search(r"\s{2,}" + re.escape(EXPECTED[name]), row), row


def test_the_run_reports_the_failures_in_its_exit_code_and_summary(verify_run):
    assert verify_run["code"] == 1, verify_run["stderr"]
    assert "6 conversions in 1 file (2 scanned): 2 pass, 3 FAIL, 1 unverified" in verify_run["stdout"]
    assert "Traceback" not in verify_run["stderr"] + verify_run["stdout"]


def test_printing_to_stdout_is_a_note_and_not_part_of_the_table(verify_run):
    table = verify_run["stdout"].split("\n\n")[0]
    assert "hello from the new code" not in table
    assert "note: the new code printed to stdout: 'hello from the new code" in verify_run["stdout"]


def test_no_process_of_the_run_is_left_once_it_has_exited(verify_run):
    assert verify_run["sleeper"] is not None, "the hanging code never ran"
    assert verify_run["left"] == []
    with pytest.raises(ProcessLookupError):
        os.kill(verify_run["sleeper"], 0)


def test_the_subreaper_wrapper_sees_what_a_command_leaves_behind(tmp_path):
    # The check above must be able to fail: a command that leaves a grandchild behind,
    # in a session of its own, is caught (and the wrapper kills it).
    report = tmp_path / "left.json"
    leaver = "import subprocess; subprocess.Popen(['sleep', '300'], start_new_session=True)"
    subprocess.run(
        [sys.executable, "-c", SUBREAPER, str(report), sys.executable, "-c", leaver],
        timeout=60, check=True,
    )
    left = json.loads(report.read_text())
    assert len(left) == 1 and left[0].endswith("sleep 300"), left
