"""How many parallel browsers a run gets by default: cores, memory, and what there is to run."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Collection, Sequence

from smoke.plan.safety import Resolve

MEMORY_PER_WORKER_MB = 600  # ~PSS of one browser worker (bench/README.md)
MAX_DEFAULT_WORKERS = 8
# A local browser worker costs about 2 CPU-seconds to start (a Python process, Playwright's
# driver, a Chromium); on the farm a second worker only pays for itself from about 8 checks on
# (2 checks: 3.9 s with one worker, 5.5 s with two; 4: 5.7 against 6.3; 8: 9.2 against 8.5).
CHECKS_PER_LOCAL_WORKER = 8


def served_here(hosts: Collection[str], resolves: Sequence[Resolve] = ()) -> bool:
    """Whether every host of a run is this machine (loopback), so that its server competes
    with the browsers for the same cores: the farm, a MediaWiki in Docker on localhost, or any
    host that ``--resolve`` maps to 127.0.0.0/8 or ::1. False for none."""
    return bool(hosts) and all(_loopback(host, resolves) for host in hosts)


def _loopback(host: str, resolves: Sequence[Resolve]) -> bool:
    for rule in resolves:  # Chromium applies the first matching MAP rule
        if rule.matches(host):
            host = rule.address
            break
    if host == "localhost" or host.endswith(".localhost"):
        return True  # RFC 6761: always loopback, and Chromium never asks a resolver
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def available_memory_mb() -> int:
    """Memory a run may use: what the kernel calls available (else the machine's total)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20)


def max_workers(checks_to_run: int) -> int:
    """The most browsers worth starting: one per check to run, and what memory carries."""
    by_memory = max(1, available_memory_mb() // MEMORY_PER_WORKER_MB)
    return max(1, min(checks_to_run, by_memory))


def default_workers(checks_to_run: int, remote: bool) -> int:
    """CPU-bound locally (Chromium dominates); a remote, slow target is I/O-bound.

    Local is the farm or any target :func:`served_here`: its server shares the cores.

    Local: a worker per core, and one per ``CHECKS_PER_LOCAL_WORKER`` checks to run, so a
    small run does not pay for browsers that would finish later than one alone.

    Remote: 2 x cores. Measured against the farm with +1 s per page view (bench/README.md,
    issue 18): 4 workers on 2 cores took 0.86 of the time of 2, 8 took 0.84 for 1 GB more and
    16 % more CPU: with at most ``max_per_host`` loads in flight per host (default 2), more
    workers mostly queue for a host.
    """
    cores = os.cpu_count() or 1
    wanted = cores * 2 if remote else min(cores, -(-checks_to_run // CHECKS_PER_LOCAL_WORKER))
    return max(1, min(wanted, max_workers(checks_to_run), MAX_DEFAULT_WORKERS))


def worker_count(requested: str, runnable: int, remote: bool) -> tuple[int, str]:
    """How many browsers to start, and a note when fewer than asked (empty otherwise)."""
    if requested == "auto":
        return default_workers(runnable, remote=remote), ""
    wanted = int(requested)
    most = max_workers(runnable)
    if wanted <= most:
        return wanted, ""
    return most, (
        f"--workers {wanted} capped at {most}: {runnable} check(s) to run, "
        f"~{MEMORY_PER_WORKER_MB} MB per browser and {available_memory_mb()} MB of memory"
    )
