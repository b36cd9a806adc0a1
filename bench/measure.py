"""One measured run: a command as its own process tree, timed and sampled from outside.

wall: start to exit. CPU: getrusage(RUSAGE_CHILDREN) around the run (this process is a child
subreaper, so orphans are reaped and counted), cross-checked with /proc samples. Server CPU: the
farm's process groups, apart. PSS: the Monitor's peaks. See bench/README.md.
"""

from __future__ import annotations

import os
import resource
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.env import log
from bench.monitor import Monitor, Timeline
from bench.procfs import CLK_TCK, kill_and_reap, machine_busy_s, scan_proc


@dataclass
class RunResult:
    mode: str  # the baseline mode, or the degraded scenario's case
    repeat: int
    checks: int
    ok_checks: int = 0
    returncode: int | None = None
    timed_out: bool = False
    wall_s: float = 0.0
    cpu_s: float = 0.0  # client tree, from getrusage(RUSAGE_CHILDREN) (exact for reaped processes)
    cpu_sampled_s: float = 0.0  # the same from /proc samples (a lower bound; cross-check)
    cpu_by_category: dict[str, float] = field(default_factory=dict)  # sampled
    server_cpu_s: float = 0.0  # PHP servers + scoring service of the farm, measured apart
    peak_pss_worker_mb: dict[str, float] = field(default_factory=dict)
    peak_pss_total_mb: float = 0.0
    leaked_processes: int = 0
    retried: int = 0  # smoke only: checks that passed on a retry (extra loads were made)
    outcomes: dict[str, int] = field(default_factory=dict)  # smoke only: results.json counts
    loaded: dict[str, int] = field(default_factory=dict)  # smoke only: full / in-app loads
    samples: int = 0
    sampler_cpu_s: float = 0.0  # this script's own CPU during the run (mostly the sampler)
    others_cpu_s: float = 0.0  # CPU the rest of the machine used during the run (contention)
    load_before: float = 0.0
    pss_timeline: Timeline = field(default_factory=list)
    log: str = ""

    @property
    def completed(self) -> bool:
        return not self.timed_out and self.returncode == 0 and self.ok_checks == self.checks

    @property
    def cpu_per_check(self) -> float:
        return self.cpu_s / self.checks if self.checks else 0.0

    @property
    def max_worker_mb(self) -> float:
        return max(self.peak_pss_worker_mb.values(), default=0.0)


@dataclass(frozen=True)
class _Before:
    """Counters read just before a run starts, to take differences after it."""

    child_cpu: float
    server: dict[tuple[int, int], int]
    own_cpu: float
    machine_busy: float

    @classmethod
    def now(cls, pgids: set[int]) -> _Before:
        return cls(child_cpu(), server_ticks(pgids), time.process_time(), machine_busy_s())


def server_ticks(pgids: set[int]) -> dict[tuple[int, int], int]:
    return {(p.pid, p.start): p.ticks + p.cticks for p in scan_proc().values() if p.pgid in pgids}


def server_cpu_between(
    before: dict[tuple[int, int], int], after: dict[tuple[int, int], int]
) -> float:
    return sum(t - before.get(k, 0) for k, t in after.items()) / CLK_TCK


def child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_measured(
    mode: str,
    repeat: int,
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    log_path: Path,
    timeout: float,
    interval: float,
    pgids: set[int],
    n_checks: int,
) -> RunResult:
    """Run ``argv`` (a new session, output to ``log_path``) and measure it; kills it on timeout.

    ``pgids``: the farm's process groups, never part of the measured tree nor killed.
    """
    result = RunResult(mode=mode, repeat=repeat, checks=n_checks, log=str(log_path))
    kill_and_reap(pgids)  # start from a clean slate
    result.load_before = round(os.getloadavg()[0], 2)
    before = _Before.now(pgids)
    log(f"{mode} (repeat {repeat + 1}): {shlex.join(argv)}")
    with open(log_path, "wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        monitor = Monitor(proc.pid, interval, pgids)
        monitor.start()
        try:
            result.returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            result.timed_out = True
            log(f"{mode}: still running after {timeout:.0f} s: killing its process tree")
            kill_and_reap(pgids, (proc.pid,))
            result.returncode = proc.wait(timeout=10)
        except BaseException:
            kill_and_reap(pgids, (proc.pid,))
            proc.wait(timeout=10)
            monitor.stop()
            raise
        result.wall_s = time.monotonic() - started
    monitor.stop()
    result.leaked_processes = kill_and_reap(pgids)
    if result.leaked_processes:
        log(f"{mode}: {result.leaked_processes} process(es) outlived the run and were killed")
    _collect(result, monitor, before, pgids)
    return result


def _collect(result: RunResult, monitor: Monitor, before: _Before, pgids: set[int]) -> None:
    """Fill in the CPU and memory figures once the run and its leftovers are gone."""
    busy = machine_busy_s() - before.machine_busy
    result.cpu_s = child_cpu() - before.child_cpu
    result.server_cpu_s = server_cpu_between(before.server, server_ticks(pgids))
    result.sampler_cpu_s = time.process_time() - before.own_cpu
    by_cat = monitor.sampled_cpu()
    result.cpu_by_category = {k: round(v, 2) for k, v in sorted(by_cat.items())}
    result.cpu_sampled_s = sum(by_cat.values())
    if result.cpu_sampled_s > result.cpu_s * 1.02:
        # Some process was not waited for by its parent (its CPU never reached us): the sampled
        # sum is the better number then.
        log(
            f"{result.mode}: rusage {result.cpu_s:.1f} s < sampled {result.cpu_sampled_s:.1f} s; "
            "using the sampled figure"
        )
        result.cpu_s = result.cpu_sampled_s
    result.peak_pss_total_mb = monitor.peak_total_kb / 1024
    result.peak_pss_worker_mb = {
        f"{pid}:{monitor.worker_name.get(pid, '?')}": round(kb / 1024, 1)
        for pid, kb in sorted(monitor.peak_worker_kb.items())
    }
    result.samples = monitor.samples
    result.pss_timeline = monitor.timeline
    result.others_cpu_s = max(0.0, busy - result.cpu_s - result.server_cpu_s - result.sampler_cpu_s)
