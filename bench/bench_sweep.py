#!/usr/bin/env python3
"""bench_sweep: the same page loads, run three ways (and a fourth for context), measured in one go.

    .venv/bin/python bench/bench_sweep.py [--testbed-dir DIR] [--repeat N] [--workers N]

Modes (each one a subprocess tree, measured from outside):

  smoke      ``smoke run`` over a fixed selection of checks (default: 3 ORES wikis x
             RecentChanges/Contributions x some variants = 33 checks), ``-n WORKERS``.
  idiomatic  a pytest-playwright-style suite generated at run time: one browser per xdist worker
             (session fixture), a NEW context and a NEW page per test, ``goto(wait_until="load")``,
             then on RecentChanges wait for ``body.mw-rcfilters-ui-initialized``. ``pytest -n
             WORKERS``. Fixtures written here (pytest-playwright itself is not needed).
  floor      a minimal sync Playwright loop: one browser, ONE page reused with ``goto`` for every
             URL in turn, the same filters wait, no pytest.
  floor-parallel
             the same loop as WORKERS processes side by side, checks dealt round-robin. No
             target: on a CPU-bound machine every parallel run pays for contention (two browsers
             and the farm sharing the cores cost more CPU-seconds per check than one); this
             baseline shows how much of smoke's CPU over the sequential floor is that.

For each run: wall time; client CPU seconds (the whole process tree of the mode: runner, pytest
workers, Playwright's node driver, Chromium and all its helpers; the PHP servers are measured
separately and reported apart, since their work is the same for all modes); peak PSS per worker
(a python process that owns a browser + its driver + Chromium) and peak PSS of the whole tree,
sampled from /proc/<pid>/smaps_rollup. Then the ratios smoke/idiomatic and smoke/floor against
their targets. See bench/README.md for how to read the output.

Exit codes: 0 all targets met; 1 measured, but some target missed; 2 a mode did not complete
(checks failed, timeout): its numbers are not comparable; 4 usage/setup problem; 130 interrupted.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SMOKE = (
    str(VENV_BIN / "smoke") if (VENV_BIN / "smoke").exists() else shutil.which("smoke") or "smoke"
)
CLK_TCK = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36
MODES = ("smoke", "idiomatic", "floor", "floor-parallel")

# The default selection: anonymous pages only (Watchlist needs a login, which the baselines would
# have to do too; see README). 3 wikis x (8 RC variants + 2 Contributions variants) = 30, plus
# goodfaith=likelybad on RC = 33 checks.
DEFAULT_WIKIS = ("enwiki", "ruwiki", "frwiki")
DEFAULT_PAGES = ("recentchanges", "contributions")
DEFAULT_VARIANTS = (
    "plain",
    "damaging=*",
    "goodfaith=likelybad",
    "damaging+goodfaith",
    "highlight",
    "hidenondamaging",
)

TARGETS = {  # ratio name -> maximum
    "smoke/idiomatic": 0.60,
    "smoke/floor": 1.25,
}
PSS_LIMIT_MB = 600.0

FILTERS_READY = "body.mw-rcfilters-ui-initialized"


class Interrupted(Exception):
    pass


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- /proc -----------------------------------------------------------------------------------


@dataclass
class Proc:
    pid: int
    comm: str
    state: str
    ppid: int
    pgid: int
    ticks: int  # utime + stime of the process itself
    cticks: int  # cutime + cstime (its waited-for children)
    start: int  # starttime, to tell a recycled pid apart


def scan_proc() -> dict[int, Proc]:
    procs: dict[int, Proc] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fd = os.open(f"/proc/{name}/stat", os.O_RDONLY)
            try:
                raw = os.read(fd, 2048).decode("utf-8", "replace")
            finally:
                os.close(fd)
        except OSError:
            continue
        close = raw.rfind(")")
        comm = raw[raw.find("(") + 1 : close]
        f = raw[close + 2 :].split()
        try:
            procs[int(name)] = Proc(
                int(name),
                comm,
                f[0],
                int(f[1]),
                int(f[2]),
                int(f[11]) + int(f[12]),
                int(f[13]) + int(f[14]),
                int(f[19]),
            )
        except (IndexError, ValueError):
            continue
    return procs


def machine_busy_s() -> float:
    """CPU seconds all cores spent busy since boot (from /proc/stat), to see what others used."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    guest = sum(fields[8:10]) if len(fields) > 9 else 0  # already counted in user/nice
    return (sum(fields) - idle - guest) / CLK_TCK


def read_pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def children_map(procs: dict[int, Proc]) -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for p in procs.values():
        kids.setdefault(p.ppid, []).append(p.pid)
    return kids


def descendants(roots: list[int], kids: dict[int, list[int]]) -> list[int]:
    out, stack, seen = [], list(roots), set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        out.append(pid)
        stack.extend(kids.get(pid, ()))
    return out


def category(comm: str) -> str:
    if comm.startswith(("chrom", "Chrom")):
        return "chromium"
    if comm.startswith("node"):
        return "node"
    if comm.startswith("php"):
        return "php"
    return "python"


def is_browserish(comm: str) -> bool:
    return category(comm) in ("chromium", "node")


class Monitor(threading.Thread):
    """Samples one mode's process tree: PSS per worker and in total, CPU ticks per process.

    The tree is the descendants of ``root`` plus processes adopted by this (subreaper) process
    that are not the farm's (``exclude_pgids``).
    """

    def __init__(self, root: int, interval: float, exclude_pgids: set[int]) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.exclude_pgids = exclude_pgids
        self.stop_event = threading.Event()
        self.me = os.getpid()
        self.worker_of: dict[tuple[int, int], int] = {}
        self.worker_name: dict[int, str] = {}
        self.last_ticks: dict[tuple[int, int], tuple[int, str]] = {}
        self.peak_worker_kb: dict[int, int] = {}
        self.peak_total_kb = 0
        self.samples = 0
        self.sample_cost_s = 0.0
        self.t0 = time.monotonic()
        self.timeline: list[tuple[float, float, list[float]]] = []  # (s, total MB, worker MBs)

    def tree(self, procs: dict[int, Proc]) -> list[int]:
        kids = children_map(procs)
        roots = [self.root] + [
            p.pid
            for p in procs.values()
            if p.ppid == self.me and p.pid != self.root and p.pgid not in self.exclude_pgids
        ]
        return [pid for pid in descendants(roots, kids) if pid in procs]

    def _worker(self, pid: int, procs: dict[int, Proc]) -> int | None:
        """The nearest non-browser ancestor-or-self: the python process that drives the browser.

        Recomputed every sample (a process seen between fork and exec still has its parent's
        name); remembered only for processes that were orphaned later.
        """
        p = procs[pid]
        cur: Proc | None = p
        hops = 0
        while cur is not None and is_browserish(cur.comm) and hops < 64:
            parent = procs.get(cur.ppid)
            if parent is None or parent.pid == self.me:
                return self.worker_of.get((cur.pid, cur.start))  # orphan: what we knew
            cur, hops = parent, hops + 1
        if cur is None:
            return None
        self.worker_of[(pid, p.start)] = cur.pid
        self.worker_name[cur.pid] = cur.comm
        return cur.pid

    def sample(self) -> None:
        started = time.perf_counter()
        procs = scan_proc()
        members = self.tree(procs)
        group_kb: dict[int, int] = {}
        group_has_browser: dict[int, bool] = {}
        total = 0
        for pid in members:
            p = procs[pid]
            self.last_ticks[(pid, p.start)] = (p.ticks, category(p.comm))
            if p.state == "Z":
                continue
            kb = read_pss_kb(pid)
            total += kb
            worker = self._worker(pid, procs)
            if worker is not None:
                group_kb[worker] = group_kb.get(worker, 0) + kb
                if category(p.comm) == "chromium":
                    group_has_browser[worker] = True
        self.peak_total_kb = max(self.peak_total_kb, total)
        for worker, kb in group_kb.items():
            if group_has_browser.get(worker):
                self.peak_worker_kb[worker] = max(self.peak_worker_kb.get(worker, 0), kb)
        if self.samples % 10 == 0:
            self.timeline.append(
                (
                    round(time.monotonic() - self.t0, 1),
                    round(total / 1024),
                    [
                        round(kb / 1024)
                        for w, kb in sorted(group_kb.items())
                        if group_has_browser.get(w)
                    ],
                )
            )
        self.samples += 1
        self.sample_cost_s += time.perf_counter() - started

    def run(self) -> None:
        try:  # per-thread niceness on Linux: the measured trees get the CPU first
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 5)
        except (OSError, AttributeError):
            pass
        while not self.stop_event.is_set():
            try:
                self.sample()
            except Exception as exc:  # a sampler must never kill the bench
                log(f"sampler error: {exc!r}")
            self.stop_event.wait(self.interval)

    def stop(self) -> None:
        self.stop_event.set()
        self.join(timeout=10)

    def sampled_cpu(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for ticks, cat in self.last_ticks.values():
            out[cat] = out.get(cat, 0.0) + ticks / CLK_TCK
        return out


def set_subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def leftovers(exclude_pgids: set[int], extra_roots: tuple[int, ...] = ()) -> list[Proc]:
    """Processes of ours that are not the farm's: descendants of this process (and of roots)."""
    procs = scan_proc()
    kids = children_map(procs)
    me = os.getpid()
    roots = [p.pid for p in procs.values() if p.ppid == me and p.pgid not in exclude_pgids]
    roots += [r for r in extra_roots if r in procs]
    return [procs[pid] for pid in descendants(roots, kids) if pid in procs and pid != me]


def kill_and_reap(
    exclude_pgids: set[int], extra_roots: tuple[int, ...] = (), *, timeout: float = 10.0
) -> int:
    """SIGKILL what is left of a mode's tree, by pid, and reap what was adopted. Returns how many
    live processes had to be killed."""
    killed: set[int] = set()
    deadline = time.monotonic() + timeout
    me = os.getpid()
    while time.monotonic() < deadline:
        rest = leftovers(exclude_pgids, extra_roots)
        live = [p for p in rest if p.state != "Z"]
        for p in live:
            try:
                os.kill(p.pid, signal.SIGKILL)
                killed.add(p.pid)
            except ProcessLookupError:
                pass
        for p in rest:
            if p.ppid == me:
                try:
                    os.waitpid(p.pid, os.WNOHANG if p.state != "Z" else 0)
                except ChildProcessError:
                    pass
        if not rest:
            break
        time.sleep(0.05)
    return len(killed)


# --- generated baselines --------------------------------------------------------------------

IDIOMATIC_TEMPLATE = '''\
"""Generated by bench/bench_sweep.py: the idiomatic pytest-playwright ladder, hand-written.

Session browser per xdist worker; a NEW context and a NEW page per test (pytest-playwright's
`context`/`page` fixtures); goto(wait_until="load"); on RecentChanges wait for the filters app.
"""
import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = {chromium!r}
NAV_TIMEOUT_MS = {nav_ms}
READY_TIMEOUT_MS = {ready_ms}
CHECKS = {checks!r}


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.mark.parametrize(
    "url,filters", [pytest.param(c["url"], c["filters"], id=c["id"]) for c in CHECKS])
def test_page_loads(page, url, filters):
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    response = page.goto(url, wait_until="load", timeout=NAV_TIMEOUT_MS)
    # < 500, not response.ok: MediaWiki answers an EMPTY RecentChanges list with HTTP 404.
    assert response is not None and response.status < 500, response and response.status
    if filters:
        page.wait_for_selector({ready!r}, state="attached", timeout=READY_TIMEOUT_MS)
    assert not errors, errors
'''

FLOOR_TEMPLATE = '''\
"""Generated by bench/bench_sweep.py: the floor. One browser, one page, goto for every URL.

``floor.py CHECKS.json``: every check, one loop. ``floor.py CHECKS.json --parallel N``: N such
loops side by side, checks dealt round-robin (floor-parallel: the floor under the same
parallelism as smoke's workers; informational).
"""
import json
import subprocess
import sys

from playwright.sync_api import sync_playwright

CHROMIUM = {chromium!r}
NAV_TIMEOUT_MS = {nav_ms}
READY_TIMEOUT_MS = {ready_ms}


def loop(checks):
    ok = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page()
        for check in checks:
            try:
                response = page.goto(check["url"], wait_until="load", timeout=NAV_TIMEOUT_MS)
                if check["filters"]:
                    page.wait_for_selector({ready!r}, state="attached", timeout=READY_TIMEOUT_MS)
                # < 500: MediaWiki answers an empty RecentChanges list with HTTP 404.
                if response is not None and response.status < 500:
                    ok += 1
                else:
                    print("FAIL", check["id"], response and response.status, flush=True)
            except Exception as exc:  # noqa: BLE001
                print("FAIL", check["id"], str(exc).splitlines()[0], flush=True)
        browser.close()
    return ok


checks = json.load(open(sys.argv[1], encoding="utf-8"))
if len(sys.argv) == 4 and sys.argv[2] == "--parallel":
    n = int(sys.argv[3])
    children = [subprocess.Popen([sys.executable, __file__, sys.argv[1], "--slice", f"{{k}}/{{n}}"],
                                 stdout=subprocess.PIPE, text=True) for k in range(n)]
    ok = 0
    for child in children:
        out, _ = child.communicate()
        print(out, end="")
        ok += int(out.rsplit("floor-slice:", 1)[1].split()[0]) if "floor-slice:" in out else 0
elif len(sys.argv) == 4 and sys.argv[2] == "--slice":
    k, n = map(int, sys.argv[3].split("/"))
    print(f"floor-slice: {{loop(checks[k::n])}}", flush=True)
    sys.exit(0)
else:
    ok = loop(checks)
print(f"floor: {{ok}} passed, {{len(checks) - ok}} failed")
sys.exit(0 if ok == len(checks) else 1)
'''


# --- runs -----------------------------------------------------------------------------------


@dataclass
class RunResult:
    mode: str
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
    samples: int = 0
    sampler_cpu_s: float = 0.0  # this script's own CPU during the run (mostly the sampler)
    others_cpu_s: float = 0.0  # CPU the rest of the machine used during the run (contention)
    load_before: float = 0.0
    pss_timeline: list[tuple[float, float, list[float]]] = field(default_factory=list)
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


def farm_pgids(testbed_dir: Path) -> set[int]:
    state = json.loads((testbed_dir / "state.json").read_text("utf-8"))
    pgids = {w.get("pgid") for w in state.get("wikis", {}).values()}
    pgids.add(state.get("service", {}).get("pgid"))
    return {p for p in pgids if p}


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
    result = RunResult(mode=mode, repeat=repeat, checks=n_checks, log=str(log_path))
    kill_and_reap(pgids)  # start from a clean slate
    result.load_before = round(os.getloadavg()[0], 2)
    cpu0 = child_cpu()
    srv0 = server_ticks(pgids)
    self0 = time.process_time()
    busy0 = machine_busy_s()
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
    busy = machine_busy_s() - busy0
    result.cpu_s = child_cpu() - cpu0
    result.server_cpu_s = server_cpu_between(srv0, server_ticks(pgids))
    result.sampler_cpu_s = time.process_time() - self0
    by_cat = monitor.sampled_cpu()
    result.cpu_by_category = {k: round(v, 2) for k, v in sorted(by_cat.items())}
    result.cpu_sampled_s = sum(by_cat.values())
    if result.cpu_sampled_s > result.cpu_s * 1.02:
        # Some process was not waited for by its parent (its CPU never reached us): the sampled
        # sum is the better number then.
        log(
            f"{mode}: rusage {result.cpu_s:.1f} s < sampled {result.cpu_sampled_s:.1f} s; "
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
    return result


def count_ok(mode: str, result: RunResult, reports_dir: Path, run_id: str) -> None:
    text = Path(result.log).read_text("utf-8", "replace")
    if mode == "smoke":
        path = reports_dir / run_id / "results.json"
        if path.exists():
            body = json.loads(path.read_text("utf-8"))
            outcomes = [c["outcome"] for c in body["checks"]]
            # "flaky": failed or broken, then passed on smoke's retry: it did the work twice.
            result.retried = outcomes.count("flaky")
            result.ok_checks = outcomes.count("passed") + result.retried
        return
    match = re.findall(r"(\d+) passed", text)
    result.ok_checks = int(match[-1]) if match else 0


# --- setup ----------------------------------------------------------------------------------


def free_base_port() -> int:
    def free(port: int) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
        return True

    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 60000, 10)
        if all(free(base + i) for i in range(5)):
            return base
    raise SystemExit("bench: no 5 consecutive free ports found")


def run_cli(argv: list[str], timeout: float, what: str) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        raise SystemExit(f"bench: {what} did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0:
        raise SystemExit(
            f"bench: {what} failed (exit {proc.returncode}):\n"
            f"{(proc.stdout + proc.stderr).strip()[-3000:]}"
        )
    return proc


def select_checks(args: argparse.Namespace, testbed_dir: Path) -> list[dict[str, object]]:
    argv = [
        SMOKE,
        "list",
        "--json",
        "--config",
        str(args.config),
        "--testbed-dir",
        str(testbed_dir),
    ]
    for flag, values in (("--wiki", args.wiki), ("--page", args.page), ("--variant", args.variant)):
        for value in values:
            argv += [flag, value]
    listed = json.loads(run_cli(argv, 60, "smoke list").stdout)
    checks = []
    for c in listed:
        if c["skip_reason"]:
            continue
        page = c["id"].split("/")[1]
        if page == "watchlist":
            raise SystemExit(
                "bench: Watchlist checks need a login, which the baselines do not "
                "do; select anonymous pages only (see README)"
            )
        checks.append({"id": c["id"], "url": c["url"], "filters": page == "recentchanges"})
    if not checks:
        raise SystemExit("bench: the selection has no runnable checks")
    return checks


def resolve_chromium(explicit: str | None) -> str:
    if explicit:
        return explicit
    from smoke.browser.chromium import NoBrowser, find_chromium

    try:
        choice = find_chromium(None)
    except NoBrowser as exc:
        raise SystemExit(f"bench: {exc}") from None
    return choice.executable or ""


def default_worker_count(n_checks: int) -> int:
    from smoke.plan.workers import default_workers

    return default_workers(n_checks, remote=False)


# --- report ---------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarize(results: list[RunResult]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for mode in MODES:
        runs = [r for r in results if r.mode == mode]
        if not runs:
            continue
        out[mode] = {
            "runs": len(runs),
            "completed": sum(r.completed for r in runs),
            "checks": runs[0].checks,
            "ok_checks": min(r.ok_checks for r in runs),
            "wall_s": median([r.wall_s for r in runs]),
            "cpu_s": median([r.cpu_s for r in runs]),
            "cpu_per_check": median([r.cpu_per_check for r in runs]),
            "server_cpu_per_check": median([r.server_cpu_s / r.checks for r in runs]),
            "peak_pss_worker_mb": max(r.max_worker_mb for r in runs),
            "peak_pss_total_mb": max(r.peak_pss_total_mb for r in runs),
            "workers_seen": max(len(r.peak_pss_worker_mb) for r in runs),
        }
        cats: dict[str, list[float]] = {}
        for r in runs:
            for k, v in r.cpu_by_category.items():
                cats.setdefault(k, []).append(v / r.checks)
        out[mode]["cpu_split_per_check"] = {k: round(median(v), 3) for k, v in cats.items()}
    return out


def ratios(smoke: dict[str, Any], base: dict[str, Any]) -> tuple[float, float]:
    """smoke / base for wall time and for CPU per check (NaN when the base measured zero)."""

    def ratio(key: str) -> float:
        return smoke[key] / base[key] if base[key] else float("nan")

    return ratio("wall_s"), ratio("cpu_per_check")


def print_report(
    results: list[RunResult], summary: dict[str, dict[str, Any]], header: list[str]
) -> int:
    p = print
    p()
    for text in header:
        p(text)
    p()
    p(
        "CPU = client side only: the process tree of each mode (runner, pytest workers, Playwright "
        "driver,\n      Chromium), from getrusage(RUSAGE_CHILDREN). The farm's PHP servers and "
        "scoring service\n      are measured apart ('server CPU/check') and not included."
    )
    p()
    cols = (
        "mode",
        "ok",
        "wall s",
        "CPU s",
        "CPU s/check",
        "server CPU/check",
        "peak PSS/worker MB",
        "peak PSS total MB",
        "workers",
    )
    rows = []
    for mode, s in summary.items():
        rows.append(
            (
                mode,
                f"{int(s['ok_checks'])}/{int(s['checks'])}",
                f"{s['wall_s']:.1f}",
                f"{s['cpu_s']:.1f}",
                f"{s['cpu_per_check']:.3f}",
                f"{s['server_cpu_per_check']:.3f}",
                f"{s['peak_pss_worker_mb']:.0f}",
                f"{s['peak_pss_total_mb']:.0f}",
                f"{int(s['workers_seen'])}",
            )
        )
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            v.rjust(w) if i else v.ljust(w)
            for i, (v, w) in enumerate(zip(cells, widths, strict=True))
        )

    p(line(cols))
    p("  ".join("-" * w for w in widths))
    for row in rows:
        p(line(row))
    if any(s["runs"] > 1 for s in summary.values()):
        p("(medians over repeats for wall and CPU; maxima for PSS)")
    p()
    p("CPU per check by process kind (sampled from /proc every interval; a lower bound,")
    p("short-lived processes lose up to one interval):")
    for mode, s in summary.items():
        split: dict[str, float] = s["cpu_split_per_check"]
        parts = ", ".join(f"{k} {v:.3f}" for k, v in sorted(split.items(), key=lambda kv: -kv[1]))
        p(f"  {mode:10} {parts}")
    p()
    verdicts: list[bool] = []
    complete = all(s["completed"] == s["runs"] for s in summary.values())
    if "smoke" in summary:
        sm = summary["smoke"]
        p("ratios (smoke / baseline)     wall   CPU/check   target   verdict")
        for base in ("idiomatic", "floor"):
            if base not in summary:
                continue
            name = f"smoke/{base}"
            rw, rc = ratios(sm, summary[base])
            target = TARGETS[name]
            ok = rw <= target and rc <= target
            verdicts.append(ok)
            p(
                f"  {name:27} {rw:5.2f}   {rc:9.2f}   <= {target:.2f}   "
                f"{'met' if ok else 'MISSED'}"
                + ("" if rw <= target else " (wall)")
                + ("" if rc <= target else " (CPU)")
            )
        if "floor-parallel" in summary:
            rw, rc = ratios(sm, summary["floor-parallel"])
            p(
                f"  {'smoke/floor-parallel':27} {rw:5.2f}   {rc:9.2f}   (no target: the floor "
                "with smoke's workers;"
            )
            p(f"  {'':27} {'':5}   {'':9}    CPU the machine adds to any parallel run)")
        mem_ok = sm["peak_pss_worker_mb"] <= PSS_LIMIT_MB
        verdicts.append(mem_ok)
        p(
            f"  smoke peak PSS per worker  {sm['peak_pss_worker_mb']:.0f} MB   "
            f"<= {PSS_LIMIT_MB:.0f} MB   {'met' if mem_ok else 'MISSED'}"
        )
    p()
    p("per run ('others': CPU the rest of the machine used meanwhile, in cores; 'sampler': this")
    p("script's own CPU, mostly reading /proc):")
    busy_runs: list[float] = []
    for r in results:
        flags = []
        if r.timed_out:
            flags.append("TIMED OUT")
        if r.returncode:
            flags.append(f"exit {r.returncode}")
        if r.ok_checks != r.checks:
            flags.append(f"only {r.ok_checks}/{r.checks} checks passed")
        if r.leaked_processes:
            flags.append(f"{r.leaked_processes} processes leaked")
        if r.retried:
            flags.append(f"{r.retried} checks passed only on a retry (extra loads)")
        note = ("  <- " + ", ".join(flags) + f" (log: {r.log})") if flags else ""
        others = r.others_cpu_s / r.wall_s if r.wall_s else 0.0
        busy_runs.append(others)
        p(
            f"  run {r.repeat + 1} {r.mode:10} wall {r.wall_s:6.1f} s  CPU {r.cpu_s:6.1f} s "
            f"(sampled {r.cpu_sampled_s:5.1f})  server {r.server_cpu_s:5.1f} s  "
            f"PSS/worker {', '.join(f'{v:.0f}' for v in r.peak_pss_worker_mb.values()) or '-'} MB  "
            f"others {others:.2f} cores, sampler {r.sampler_cpu_s:.1f} s{note}"
        )
    n_checks = min((r.checks for r in results), default=0)
    if n_checks < 20:
        p(
            f"\nwarning: only {n_checks} checks: fixed start-up costs (interpreters, imports, "
            "browser launch) dominate the per-check figures and the ratios; use ~30 checks or more"
        )
    if max(busy_runs, default=0.0) > 0.25:
        p(
            f"\nwarning: other processes used up to {max(busy_runs):.2f} of {os.cpu_count()} cores "
            "during the runs: wall times (and, less so, CPU) are inflated and noisy; repeat on a "
            "quiet machine (--repeat 3) before drawing conclusions"
        )
    if not complete:
        p("\nsome runs did not complete: their numbers are not comparable (see the logs above)")
        return 2
    return 0 if all(verdicts) else 1


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench_sweep.py",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="See bench/README.md.",
    )
    parser.add_argument(
        "--testbed-dir",
        type=Path,
        default=None,
        help="use this running farm (default: bring up a temporary one on free "
        "ports and take it down at the end)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each mode (default 1)")
    parser.add_argument(
        "--workers",
        default="auto",
        help="pytest workers for smoke and idiomatic (default: smoke's auto)",
    )
    parser.add_argument(
        "--modes",
        default=",".join(MODES),
        help="comma-separated subset of smoke,idiomatic,floor (default: all)",
    )
    parser.add_argument(
        "--wiki",
        action="append",
        default=None,
        metavar="PATTERN",
        help=f"selection (default: {' '.join(DEFAULT_WIKIS)})",
    )
    parser.add_argument(
        "--page",
        action="append",
        default=None,
        metavar="PATTERN",
        help=f"selection (default: {' '.join(DEFAULT_PAGES)}); no watchlist",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=None,
        metavar="PATTERN",
        help=f"selection (default: {' '.join(DEFAULT_VARIANTS)})",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=REPO / "wikis.yaml",
        help="smoke configuration (default: the repository's wikis.yaml)",
    )
    parser.add_argument(
        "--browser-path",
        default=None,
        help="Chromium for the baselines (default: what smoke would find)",
    )
    parser.add_argument(
        "--smoke-args",
        default="",
        help="extra arguments for `smoke run` (shell-quoted string), e.g. "
        "'--browser-path /usr/bin/chromium'",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="seconds one run of one mode may take before it is killed (900)",
    )
    parser.add_argument(
        "--sample-interval", type=float, default=0.2, help="seconds between /proc samples (0.2)"
    )
    parser.add_argument(
        "--no-warmup",
        action="store_true",
        help="skip the unmeasured warm-up loads (one per wiki and page)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary directory (logs, generated files, reports)",
    )
    args = parser.parse_args(argv)
    args.wiki = args.wiki or list(DEFAULT_WIKIS)
    args.page = args.page or list(DEFAULT_PAGES)
    args.variant = args.variant or list(DEFAULT_VARIANTS)
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = set(args.modes) - set(MODES)
    if unknown or not args.modes:
        parser.error(f"unknown modes {sorted(unknown)}; choose from {', '.join(MODES)}")
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def on_signal(signum: int, _frame: object) -> None:
        raise Interrupted(signal.Signals(signum).name)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    own_farm = args.testbed_dir is None
    testbed_dir = (tmp / "farm") if own_farm else args.testbed_dir.resolve()
    pgids: set[int] = set()
    results: list[RunResult] = []
    code = 4
    try:
        if own_farm:
            base = free_base_port()
            log(f"bringing up a temporary farm on ports {base}-{base + 4} in {testbed_dir}")
            t = time.monotonic()
            run_cli(
                [
                    SMOKE,
                    "testbed",
                    "--state-dir",
                    str(testbed_dir),
                    "up",
                    "--base-port",
                    str(base),
                    "--no-install",
                ],
                600,
                "smoke testbed up",
            )
            log(f"farm up in {time.monotonic() - t:.1f} s")
        elif not (testbed_dir / "state.json").exists():
            raise SystemExit(f"bench: no farm in {testbed_dir} (no state.json)")
        pgids = farm_pgids(testbed_dir)
        # The farm's servers were started before this point, so they are not our descendants;
        # from now on every orphan of a mode's tree is adopted by us and its CPU is counted.
        if not set_subreaper():
            log("warning: could not become a child subreaper; orphaned processes' CPU may be lost")

        checks = select_checks(args, testbed_dir)
        workers = default_worker_count(len(checks)) if args.workers == "auto" else int(args.workers)
        chromium = resolve_chromium(args.browser_path)
        with open(args.config, encoding="utf-8") as handle:
            timeouts = re.search(
                r"^timeouts:\s*\{navigation:\s*(\d+),\s*ready:\s*(\d+)\}", handle.read(), re.M
            )
        nav_ms, ready_ms = (
            (int(timeouts[1]) * 1000, int(timeouts[2]) * 1000) if timeouts else (30000, 15000)
        )
        fill = {
            "chromium": chromium,
            "nav_ms": nav_ms,
            "ready_ms": ready_ms,
            "ready": FILTERS_READY,
        }
        idiom_dir = tmp / "idiomatic"
        idiom_dir.mkdir()
        (idiom_dir / "test_idiomatic.py").write_text(
            IDIOMATIC_TEMPLATE.format(checks=checks, **fill), "utf-8"
        )
        floor_py = tmp / "floor.py"
        floor_py.write_text(FLOOR_TEMPLATE.format(**fill), "utf-8")
        checks_json = tmp / "checks.json"
        checks_json.write_text(json.dumps(checks, indent=1), "utf-8")
        reports = tmp / "reports"
        reports.mkdir()

        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST_", "SMOKE_TESTBED_DIR"))
        }
        wikis = sorted({str(c["id"]).split("/")[0] for c in checks})
        pages = sorted({str(c["id"]).split("/")[1] for c in checks})
        header = [
            f"bench_sweep: {len(checks)} checks ({len(wikis)} wikis: {', '.join(wikis)}; pages: "
            f"{', '.join(pages)}), {workers} worker(s) for smoke, idiomatic and floor-parallel, "
            "floor sequential",
            f"farm: {testbed_dir} ({'temporary' if own_farm else 'given'}); Chromium: {chromium}; "
            f"{os.cpu_count()} cores; load average before: "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        ]
        for line in header:
            log(line)

        if not args.no_warmup:
            seen, warm = set(), []
            for c in checks:
                key = tuple(str(c["id"]).split("/")[:2])
                if key not in seen:
                    seen.add(key)
                    warm.append(c)
            warm_json = tmp / "warmup.json"
            warm_json.write_text(json.dumps(warm), "utf-8")
            log(f"warm-up: {len(warm)} loads (not measured)")
            run_measured(
                "warmup",
                0,
                [sys.executable, str(floor_py), str(warm_json)],
                cwd=tmp,
                env=env,
                log_path=tmp / "warmup.log",
                timeout=min(args.timeout, 300),
                interval=1.0,
                pgids=pgids,
                n_checks=len(warm),
            )

        smoke_extra = shlex.split(args.smoke_args)
        for rep in range(args.repeat):
            order = args.modes[rep % len(args.modes) :] + args.modes[: rep % len(args.modes)]
            for mode in order:
                run_id = f"bench-{rep + 1}"
                if mode == "smoke":
                    argv = [
                        SMOKE,
                        "run",
                        "--config",
                        str(args.config),
                        "--testbed-dir",
                        str(testbed_dir),
                        "--reports-dir",
                        str(reports),
                        "--run-id",
                        run_id,
                        "-n",
                        str(workers),
                    ]
                    for flag, values in (
                        ("--wiki", args.wiki),
                        ("--page", args.page),
                        ("--variant", args.variant),
                    ):
                        for value in values:
                            argv += [flag, value]
                    argv += smoke_extra
                    cwd = REPO
                elif mode == "idiomatic":
                    argv = [
                        sys.executable,
                        "-m",
                        "pytest",
                        "test_idiomatic.py",
                        "-q",
                        "-p",
                        "no:cacheprovider",
                        "-p",
                        "no:smoke",
                    ]
                    argv += (
                        ["-n", str(workers), "--dist", "load"]
                        if workers > 1
                        else ["-p", "no:xdist"]
                    )
                    cwd = idiom_dir
                elif mode == "floor":
                    argv = [sys.executable, str(floor_py), str(checks_json)]
                    cwd = tmp
                else:  # floor-parallel
                    argv = [
                        sys.executable,
                        str(floor_py),
                        str(checks_json),
                        "--parallel",
                        str(workers),
                    ]
                    cwd = tmp
                result = run_measured(
                    mode,
                    rep,
                    argv,
                    cwd=cwd,
                    env=env,
                    log_path=tmp / f"{mode}-{rep + 1}.log",
                    timeout=args.timeout,
                    interval=args.sample_interval,
                    pgids=pgids,
                    n_checks=len(checks),
                )
                count_ok(mode, result, reports, run_id)
                results.append(result)
                log(
                    f"{mode}: wall {result.wall_s:.1f} s, CPU {result.cpu_s:.1f} s "
                    f"({result.cpu_per_check:.3f}/check), {result.ok_checks}/{result.checks} ok, "
                    f"peak PSS/worker {result.max_worker_mb:.0f} MB"
                )

        summary = summarize(results)
        code = print_report(results, summary, header)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "header": header,
                        "workers": workers,
                        "checks": checks,
                        "summary": summary,
                        "runs": [asdict(r) for r in results],
                        "targets": TARGETS,
                        "pss_limit_mb": PSS_LIMIT_MB,
                    },
                    indent=2,
                ),
                "utf-8",
            )
        if any(not r.completed for r in results) or args.keep:
            log(f"logs and generated files kept in {tmp}")
            args.keep = True
    except (KeyboardInterrupt, Interrupted):
        log("interrupted: cleaning up")
        code = 130
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            code = 4
        else:
            code = int(exc.code or 0)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if pgids:
            kill_and_reap(pgids)
        if own_farm and (testbed_dir / "state.json").exists():
            log("taking the temporary farm down")
            try:
                subprocess.run(
                    [SMOKE, "testbed", "--state-dir", str(testbed_dir), "down", "--purge"],
                    capture_output=True,
                    timeout=60,
                    check=False,
                    stdin=subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired:
                log(f"warning: `smoke testbed down` timed out; farm state left in {testbed_dir}")
                args.keep = True
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
