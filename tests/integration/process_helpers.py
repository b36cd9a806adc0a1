"""The processes a run started: taken while it runs, looked for again after it ended."""

from __future__ import annotations

from pathlib import Path


def _stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, state, start time) of a live process; None when it is gone."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0], fields[19]


def descendants(root: int) -> dict[int, str]:
    """pid → start time of every live process below ``root`` (workers, drivers, browsers)."""
    parents: dict[int, int] = {}
    started: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        found = _stat(int(entry.name))
        if found is not None:
            parents[int(entry.name)], started[int(entry.name)] = found[0], found[2]
    below: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in below:
                below[pid] = started[pid]
                frontier.append(pid)
    return below


def still_running(snapshot: dict[int, str]) -> list[str]:
    """Command lines of the processes of ``snapshot`` that are alive now (not reused pids)."""
    alive = []
    for pid, start in snapshot.items():
        found = _stat(pid)
        if found is None or found[2] != start or found[1] == "Z":
            continue
        try:
            alive.append(
                (Path("/proc") / str(pid) / "cmdline").read_bytes().decode(errors="replace")
            )
        except OSError:
            continue
    return alive
