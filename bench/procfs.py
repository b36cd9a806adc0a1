"""Reading /proc (process table, CPU ticks, PSS) and cleaning up after a mode's process tree."""

from __future__ import annotations

import ctypes
import os
import signal
import time
from dataclasses import dataclass

CLK_TCK = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36


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
    out: list[int] = []
    stack, seen = list(roots), set()
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


def set_subreaper() -> bool:
    """Orphans of our descendants (Chromium's crashpad handler double-forks) become our children,
    so their CPU reaches getrusage(RUSAGE_CHILDREN) when we reap them."""
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
