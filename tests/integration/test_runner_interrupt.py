"""Ctrl-C: the run stops, says "interrupted", exits 130 and keeps every check that finished."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import ROOT


def _default_sigint() -> None:
    # A shell's background jobs inherit SIGINT ignored; a terminal user's `smoke run` does not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_keeps_finished_checks(farm_state: FarmState, tmp_path: Path) -> None:
    checks_dir = tmp_path / "int" / "checks"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smoke.cli.main",
            "run",
            "--testbed-dir",
            farm_state.state_dir,
            "--reports-dir",
            str(tmp_path),
            "--run-id",
            "int",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_sigint,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if checks_dir.exists() and len(list(checks_dir.glob("*.json"))) >= 4:
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        finished_before = len(list(checks_dir.glob("*.json")))
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stdout[-2000:] + stderr[-2000:]
    assert "interrupted" in stderr
    results = json.loads((tmp_path / "int" / "results.json").read_text())
    assert results["run"]["interrupted"] is True
    assert len(results["checks"]) >= finished_before
    assert len(results["checks"]) < 100  # it really stopped early
    # Nothing finished is reported as broken merely because of the interrupt.
    assert all(c["outcome"] == "passed" for c in results["checks"]), results["counts"]
    assert "interrupted" in (tmp_path / "int" / "summary.md").read_text()
