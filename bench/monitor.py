"""The sampler thread: one mode's process tree, every interval: PSS per worker and in total, CPU.

A *worker* is a python process that drives a browser (an xdist worker, the floor script): its
PSS plus its node driver's plus every Chromium process under it.
"""

from __future__ import annotations

import os
import threading
import time

from bench.env import log
from bench.procfs import (
    CLK_TCK,
    Proc,
    category,
    children_map,
    descendants,
    is_browserish,
    read_pss_kb,
    scan_proc,
)

# (seconds since start, total MB, MB of each browser worker): one entry every tenth sample.
Timeline = list[tuple[float, int, list[int]]]


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
        self.timeline: Timeline = []

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
        group_kb: dict[int, int] = {}
        group_has_browser: dict[int, bool] = {}
        total = 0
        for pid in self.tree(procs):
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
            workers_mb = [
                round(kb / 1024) for w, kb in sorted(group_kb.items()) if group_has_browser.get(w)
            ]
            self.timeline.append(
                (round(time.monotonic() - self.t0, 1), round(total / 1024), workers_mb)
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
