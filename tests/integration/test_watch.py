"""`smoke watch` against the farm: a fault appears and goes away while it watches.

The fault is switched between rounds (timed from the watch's own output, as a person watching
it would); transitions must be printed within one interval plus one round of the switch, the
timeline must bracket the switch times, and browsers and logins must not be redone per round.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from smoke.model.exit_codes import ExitCode
from smoke.testbed import farm
from smoke.testbed.state import FarmState
from tests.integration.process_helpers import descendants, still_running
from tests.integration.runner_helpers import ROOT

FAULT = "null-threshold-crash"
RC_WL = ("--page", "recentchanges", "--page", "watchlist")
VARIANTS = ("--variant", "plain", "--variant", "damaging=likelybad")
SLACK_S = 3.0  # output pipe, process scheduling on a shared 2-core machine


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as in a terminal (see test_runner_interrupt)


@dataclass
class Watching:
    """A `smoke watch` subprocess and its output lines, each with the time it was read."""

    proc: subprocess.Popen[str]
    run_dir: Path
    lines: list[tuple[float, str]] = field(default_factory=list)

    def read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def wait_for(self, pattern: str, count: int = 1, timeout: float = 90) -> list[float]:
        """Times at which ``count`` lines matching ``pattern`` had been read."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [t for t, line in list(self.lines) if re.search(pattern, line)]
            if len(found) >= count:
                return found[:count]
            assert self.proc.poll() is None or len(self.lines) < 10_000, self.output()
            if self.proc.poll() is not None:
                time.sleep(0.3)  # the reader may still be draining the pipe
                found = [t for t, line in list(self.lines) if re.search(pattern, line)]
                assert len(found) >= count, f"{pattern!r} never printed:\n{self.output()}"
                return found[:count]
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} not printed within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def results(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads((self.run_dir / "results.json").read_text("utf-8"))
        return body


@contextmanager
def watching(farm_state: FarmState, reports: Path, *args: str) -> Iterator[Watching]:
    argv = [sys.executable, "-m", "smoke.cli.main", "watch", "--testbed-dir", farm_state.state_dir]
    argv += ["--reports-dir", str(reports), "--run-id", "watch", "--wiki", "ruwiki", "-v", *args]
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_default_sigint,
    )
    run = Watching(proc, reports / "watch")
    reader = threading.Thread(target=run.read, daemon=True)
    reader.start()
    try:
        yield run
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
        reader.join(10)
        farm.set_fault(Path(farm_state.state_dir), "ruwiki", FAULT, False, log=lambda _m: None)


def switch(farm_state: FarmState, on: bool) -> tuple[float, float]:
    """Switch the fault; (monotonic, epoch) right after it took effect."""
    farm.set_fault(Path(farm_state.state_dir), "ruwiki", FAULT, on, log=lambda _m: None)
    return time.monotonic(), time.time()


def login_requests(farm_state: FarmState) -> Callable[[], int]:
    """Counts login token requests the ruwiki server logs from now on."""
    log = Path(farm_state.state_dir) / "logs" / "ruwiki.log"
    start = log.stat().st_size if log.exists() else 0

    def count() -> int:
        with log.open("rb") as handle:
            handle.seek(start)
            return handle.read().decode("utf-8", "replace").count("type=login")

    return count


def live_members(pgid: int) -> list[str]:
    """Command lines of the live processes of a process group (zombies are already gone)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue  # not a process, or it ended while we looked
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(cmdline)
    return found


def test_a_fault_during_the_watch_is_seen_timed_and_recovers(
    farm_state: FarmState, tmp_path: Path
) -> None:
    logins = login_requests(farm_state)
    every = 5.0
    # Six rounds are enough (baseline, failure, recovery, margin); --for bounds a slow machine.
    window = ("--every", "5s", "--for", "60s", "--rounds", "6")
    with watching(farm_state, tmp_path, *RC_WL, *VARIANTS, "-n", "2", *window) as run:
        run.wait_for(r"round 2: ")
        on, on_epoch = switch(farm_state, True)
        failed_at = run.wait_for(r"passed → failed \(\[server-error\] HTTP 500", count=4)
        rounds_seen = len(run.wait_for(r"round \d+: "))
        run.wait_for(r"round \d+: ", count=rounds_seen + 1)  # the round of the failures ended
        off, off_epoch = switch(farm_state, False)
        passed_at = run.wait_for(r"failed → passed", count=4)
        run.proc.wait(90)
    assert run.proc.returncode == ExitCode.RECOVERED, run.output()
    body = run.results()
    watch, rounds = body["watch"], body["rounds"]
    longest = max(r["duration_s"] for r in rounds if r["complete"] and r["round"] > 1)
    bound = every + longest + SLACK_S
    # Printed the moment they happen: within one interval plus one round of the switch.
    assert max(failed_at) - on <= bound, run.output()
    assert max(passed_at) - off <= bound, run.output()
    # The timeline: one cause, its start and end within one interval (plus a round) of the
    # switches, and bracketed by the observations around them.
    (period,) = body["failing_periods"]
    assert len(period["checks"]) == 4 and period["outcome"] == "failed"
    on_s, off_s = on_epoch - watch["started_epoch"], off_epoch - watch["started_epoch"]
    assert -0.5 <= period["start_s"] - on_s <= bound, (period, on_s)
    assert -0.5 <= period["end_s"] - off_s <= bound, (period, off_s)
    assert period["before_s"] <= on_s + longest and period["last_s"] <= off_s + longest
    # Evidence of the first failing round only.
    first = period["start_round"]
    assert f"artifacts/round-{first}/" in period["evidence"]["screenshot"]
    assert (run.run_dir / period["evidence"]["screenshot"]).is_file()
    assert sorted(p.name for p in (run.run_dir / "artifacts").iterdir()) == [f"round-{first}"]
    # One browser per worker and one login for the whole watch.
    assert watch["rounds"] >= 5 and watch["browsers_started"] == watch["workers_started"] == 2
    assert watch["stopped"] in ("--rounds reached", "the --for window ended")
    assert watch["logins"] == 1 and logins() == 1
    assert not (run.run_dir / ".auth").exists()
    assert (tmp_path / "latest").resolve() == run.run_dir.resolve()
    # results.json keeps a run's shape: the last round's records.
    assert {c["outcome"] for c in body["checks"]} == {"passed"} and len(body["checks"]) == 4
    summary = (run.run_dir / "summary.md").read_text("utf-8")
    assert "=== Timeline (failing periods by root cause) ===" in summary
    assert "began between" in summary and "RuntimeException" in summary


def test_exit_on_failure_stops_within_an_interval_and_a_round(
    farm_state: FarmState, tmp_path: Path
) -> None:
    args = ("--page", "recentchanges", *VARIANTS, "--every", "4s", "--for", "90s")
    with watching(farm_state, tmp_path, *args, "--exit-on-failure") as run:
        run.wait_for(r"round 2: ")
        on, _ = switch(farm_state, True)
        run.proc.wait(90)
        ended = time.monotonic()
    assert run.proc.returncode == ExitCode.DEFECT, run.output()
    body = run.results()
    rounds = body["rounds"]
    longest = max(r["duration_s"] for r in rounds if r["round"] > 1)
    # Detection, the rest of its round, then stopping the browsers and writing the results.
    assert ended - on <= 4.0 + 2 * longest + 10.0, run.output()
    assert body["watch"]["stopped"] == "a new failure (--exit-on-failure)"
    assert body["counts"]["failed"] == 2 and len(rounds) <= 4
    assert "new failure: stopping after this round" in run.output()


@pytest.mark.parametrize(
    ("signum", "to_group"),
    [
        pytest.param(signal.SIGINT, True, id="Ctrl-C"),  # what Ctrl-C in a terminal does
        pytest.param(signal.SIGTERM, True, id="SIGTERM-to-the-group"),  # timeout(1), systemd
        pytest.param(signal.SIGHUP, False, id="SIGHUP-to-smoke-only"),
    ],
)
def test_a_stop_signal_writes_what_was_seen_and_exits_128_plus_it(
    farm_state: FarmState, tmp_path: Path, signum: int, to_group: bool
) -> None:
    name = signal.Signals(signum).name
    with watching(
        farm_state, tmp_path, "--page", "recentchanges", *VARIANTS, "--every", "3s"
    ) as run:
        run.wait_for(r"round 2: ")
        processes = descendants(run.proc.pid)
        sent = time.monotonic()
        (os.killpg if to_group else os.kill)(run.proc.pid, signum)
        run.proc.wait(60)
        took = time.monotonic() - sent
        time.sleep(0.5)
        leftover = live_members(run.proc.pid)
    print(f"exit {signal.Signals(signum).name}: {took:.1f} s after the signal")  # -s shows it
    assert run.proc.returncode == 128 + signum, run.output()
    assert took <= 10.0, f"{took:.1f} s after {name}"
    assert leftover == [] and still_running(processes) == []  # no worker, driver or browser
    assert "Traceback" not in run.output()
    body = run.results()
    assert body["run"]["interrupted"] is True and body["run"]["interrupted_by"] == name
    assert body["watch"]["stopped"] == f"interrupted ({name})"
    assert len(body["rounds"]) >= 2 and len(body["checks"]) == 2
    assert all(c["outcome"] == "passed" for c in body["checks"])  # not broken by the interrupt
    assert f"interrupted ({name})" in (run.run_dir / "summary.md").read_text("utf-8")
    junit = (run.run_dir / "junit.xml").read_text("utf-8")
    assert junit.count("<testcase") == 2 and f'value="{name}"' in junit
    assert not (run.run_dir / ".auth").exists()
