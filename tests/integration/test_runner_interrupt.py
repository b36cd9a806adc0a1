"""Ctrl-C, SIGTERM, SIGHUP: the run stops, says "interrupted" and names the signal, exits
128 + the signal's number within 10 s, and keeps every check that finished."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from smoke.testbed.state import FarmState
from tests.integration.process_helpers import descendants, still_running
from tests.integration.runner_helpers import ROOT

GRACE_S = 10.0  # what smoke promises after a stop signal (docs/operations.md)


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
    assert all(c["outcome"] in ("passed", "skipped") for c in results["checks"]), results["counts"]
    assert "interrupted" in (tmp_path / "int" / "summary.md").read_text()
    # junit.xml agrees with results.json, check for check, and says the run was interrupted.
    junit = ET.parse(tmp_path / "int" / "junit.xml").getroot()
    cases = {case.get("name") for case in junit.iter("testcase")}
    assert cases == {c["id"] for c in results["checks"]}
    assert any(
        p.get("name") == "smoke_interrupted" and p.get("value") == "true"
        for p in junit.iter("property")
    )
    # The interrupted run is the latest: its results are written.
    assert (tmp_path / "latest").resolve() == (tmp_path / "int").resolve()


def _start(farm_state: FarmState, reports: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smoke.cli.main",
            "run",
            "--testbed-dir",
            farm_state.state_dir,
            "--reports-dir",
            str(reports),
            *args,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_two_runs_started_in_the_same_second_both_complete(
    farm_state: FarmState, tmp_path: Path
) -> None:
    selection = ("--wiki", "enwiki", "--page", "contributions", "-n", "1")
    first, second = (
        _start(farm_state, tmp_path, *selection),
        _start(farm_state, tmp_path, *selection),
    )
    outputs = [proc.communicate(timeout=300) for proc in (first, second)]
    assert (first.returncode, second.returncode) == (0, 0), outputs
    runs = [d for d in tmp_path.iterdir() if d.is_dir() and not d.is_symlink()]
    assert len(runs) == 2 and all((d / "results.json").is_file() for d in runs)


def test_a_killed_run_leaves_no_session_and_is_not_latest(
    farm_state: FarmState, tmp_path: Path
) -> None:
    """SIGKILL: nothing can clean up, so the next run does: .auth/ goes, latest never moved."""
    killed = _start(
        farm_state,
        tmp_path,
        "--wiki",
        "ruwiki",
        "--page",
        "watchlist",
        "--run-id",
        "killed",
        "-n",
        "1",
    )
    try:
        deadline = time.monotonic() + 120
        auth = tmp_path / "killed" / ".auth"
        while time.monotonic() < deadline and not list(auth.glob("*.json")):
            assert killed.poll() is None, killed.communicate()
            time.sleep(0.1)
        assert list(auth.glob("*.json")), "the run never logged in"
    finally:
        os.killpg(killed.pid, signal.SIGKILL)
        killed.communicate()
    assert not (tmp_path / "latest").exists()  # latest moves only when results are written
    after = _start(
        farm_state,
        tmp_path,
        "--wiki",
        "enwiki",
        "--page",
        "contributions",
        "--variant",
        "plain",
        "--run-id",
        "after",
        "-n",
        "1",
    )
    out = after.communicate(timeout=300)
    assert after.returncode == 0, out
    assert not auth.exists()  # the dead run's live session is gone
    assert (tmp_path / "latest").resolve() == (tmp_path / "after").resolve()


@pytest.mark.parametrize(
    ("signum", "to_group"),
    [
        # timeout(1) and systemd signal the whole group (so do GitLab's runners)
        pytest.param(signal.SIGTERM, True, id="SIGTERM-to-the-group"),
        pytest.param(signal.SIGHUP, False, id="SIGHUP-to-smoke-only"),
    ],
)
def test_a_stop_signal_mid_sweep_ends_the_run_as_ctrl_c_does(
    farm_state: FarmState, tmp_path: Path, signum: int, to_group: bool
) -> None:
    run_dir = tmp_path / "sig"
    proc = _start(farm_state, tmp_path, "--run-id", "sig", "-n", "2")
    try:
        deadline = time.monotonic() + 180
        checks_dir = run_dir / "checks"
        while time.monotonic() < deadline:
            finished = len(list(checks_dir.glob("*.json"))) if checks_dir.exists() else 0
            if finished >= 4 and list((run_dir / ".auth").glob("*.json")):
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        processes = descendants(proc.pid)
        sent = time.monotonic()
        if to_group:
            os.killpg(proc.pid, signum)
        else:
            os.kill(proc.pid, signum)
        stdout, stderr = proc.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    name = signal.Signals(signum).name
    print(f"exit {signal.Signals(signum).name}: {took:.1f} s after the signal")  # -s shows it
    assert proc.returncode == 128 + signum, stdout[-2000:] + stderr[-2000:]
    assert took <= GRACE_S, f"{took:.1f} s after {name}"
    assert "Traceback" not in stderr and "INTERNALERROR" not in stdout + stderr
    assert f"interrupted ({name})" in stderr
    results = json.loads((run_dir / "results.json").read_text())
    assert results["run"]["interrupted"] is True and results["run"]["interrupted_by"] == name
    assert 4 <= len(results["checks"]) < 100
    assert all(c["outcome"] in ("passed", "skipped") for c in results["checks"]), results["counts"]
    assert f"Run interrupted ({name})" in (run_dir / "summary.md").read_text()
    junit = ET.parse(run_dir / "junit.xml").getroot()
    assert {case.get("name") for case in junit.iter("testcase")} == {
        c["id"] for c in results["checks"]
    }
    assert any(
        p.get("name") == "smoke_interrupted_by" and p.get("value") == name
        for p in junit.iter("property")
    )
    assert not (run_dir / ".auth").exists()
    time.sleep(0.5)  # the last browser processes are reaped by init
    assert still_running(processes) == []  # no worker, driver or browser outlives the run
