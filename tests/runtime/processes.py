"""Starting and collecting the side processes of the golden runtime checks. No TensorFlow.

Each side is a script in this directory (``keras2_side.py``, ``keras3_side.py``,
``tf1_side.py``, ``keras3_layers_side.py``) run as ``python <side>_side.py MANIFEST OUT``
in its own process and process group, with the environment that fixes its Keras
(``TF_USE_LEGACY_KERAS=1`` for the legacy sides). The test modules start both sides
of a comparison, so they run concurrently, then wait for both.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

RUNTIME = Path(__file__).resolve().parent
REPO = RUNTIME.parents[1]


def environment(legacy_keras: bool) -> dict:
    """The child's environment: quiet TensorFlow, CPU only, no bytecode in golden/."""
    env = dict(os.environ)
    env.update(
        TF_CPP_MIN_LOG_LEVEL="3",
        CUDA_VISIBLE_DEVICES="",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
        KERAS_BACKEND="tensorflow",
    )
    if legacy_keras:
        env["TF_USE_LEGACY_KERAS"] = "1"
    else:
        env.pop("TF_USE_LEGACY_KERAS", None)
    return env


def start(side: str, manifest: list[dict], work: Path, legacy_keras: bool) -> dict:
    """Start ``<side>_side.py`` on ``manifest``; its JSON goes to ``work/<side>-result.json``."""
    manifest_path = work / f"{side}-manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    out = work / f"{side}-result.json"
    stderr = open(work / f"{side}-stderr.txt", "w+", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(RUNTIME / f"{side}_side.py"), str(manifest_path), str(out)],
        cwd=str(REPO),
        env=environment(legacy_keras),
        stdin=subprocess.DEVNULL,
        stdout=stderr,
        stderr=stderr,
        start_new_session=True,  # so a timeout can end the child and anything it started
    )
    return {"side": side, "process": process, "out": out, "stderr": stderr}


def finish(run: dict, deadline: float, timeout: float) -> dict:
    """Wait for a started side until ``deadline`` (a ``time.monotonic()`` value).

    Returns the side's JSON, or ``{"error": ...}`` with the end of its stderr when it
    timed out (it is killed, with its process group), failed or wrote no valid JSON.
    """
    process = run["process"]
    try:
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return {"error": f"timed out after {timeout} s" + tail(run["stderr"])}
    if process.returncode != 0 or not run["out"].is_file():
        return {"error": f"exited with status {process.returncode}" + tail(run["stderr"])}
    try:
        result = json.loads(run["out"].read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        return {"error": f"wrote invalid JSON ({error})" + tail(run["stderr"])}
    run["stderr"].close()
    return result


def tail(stream, limit: int = 6000) -> str:
    stream.flush()
    stream.seek(0)
    text = stream.read()
    stream.close()
    return "\nstderr of the child (end):\n" + text[-limit:]
