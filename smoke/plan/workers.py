"""How many parallel browsers a run gets by default: cores, memory, and what there is to run."""

from __future__ import annotations

import os

MEMORY_PER_WORKER_MB = 600  # ~PSS of one browser worker (bench/README.md)
MAX_DEFAULT_WORKERS = 8


def default_workers(checks_to_run: int, remote: bool) -> int:
    """CPU-bound locally (Chromium dominates); a remote, slow target is I/O-bound."""
    cores = os.cpu_count() or 1
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    by_memory = max(1, int(memory_mb // MEMORY_PER_WORKER_MB))
    wanted = cores * 2 if remote else cores
    return max(1, min(wanted, by_memory, checks_to_run, MAX_DEFAULT_WORKERS))
