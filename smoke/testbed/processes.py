"""Starting and stopping the farm's servers, each in its own process group.

``php -S`` with ``PHP_CLI_SERVER_WORKERS`` forks workers that keep serving when only the master is
killed, so every server starts as a session leader (``setsid``) and is stopped by signalling its
whole group. Before signalling, the group leader's command line is checked, so a recycled process
id never gets us to kill something the farm did not start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_group(
    argv: Sequence[str], *, env: Mapping[str, str], log_file: Path, cwd: Path | None = None
) -> int:
    """Start ``argv`` as the leader of a new session; returns its process group id."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc.pid  # a session leader's pid is its process group id


def group_alive(pgid: int | None, marker: str) -> bool:
    """True when the group's leader still runs and its command line contains ``marker``."""
    if not pgid:
        return False
    try:
        cmdline = Path(f"/proc/{pgid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        stat = Path(f"/proc/{pgid}/stat").read_text()
    except OSError:
        return False
    # Field 3 of /proc/PID/stat is the state; Z means exited but not yet reaped.
    state = stat.rsplit(")", 1)[1].split()[0]
    return state != "Z" and marker in cmdline


def _group_members(pgid: int, marker: str | None = None) -> list[int]:
    """Live processes of the group; with ``marker``, only those whose command line contains it."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z" and (marker is None or marker in cmdline):
            members.append(int(entry.name))
    return members


def stop_group(pgid: int | None, marker: str | None, *, timeout: float = 5.0) -> bool:
    """SIGTERM the group (SIGKILL after ``timeout``). Returns False when it was not ours/running.

    ``marker`` guards a process group id read back from the state file (it may be recycled).
    ``None``: this very process just started the group, so it is ours whatever the leader's
    command line says yet; a leader still between fork and exec does not carry the marker.
    """
    if not pgid:
        return False
    if marker is not None and not group_alive(pgid, marker):
        # The leader may be gone while forked workers still serve: clean those up too. Only
        # processes carrying our marker: a recycled id may now lead someone else's group.
        for pid in _group_members(pgid, marker):
            _signal_pid(pid, signal.SIGKILL)
        return False
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pgid)
        if not _group_members(pgid):
            return True
        time.sleep(0.05)
    _signal_group(pgid, signal.SIGKILL)
    _reap(pgid)
    return True


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _signal_pid(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _reap(pid: int) -> None:
    # When the farm was started by this very process (tests), collect the zombie.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def wait_http(url: str, *, timeout: float) -> bool:
    """Poll ``url`` until it answers with any HTTP status < 500, or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return True
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    return False


def http_ok(url: str, *, timeout: float = 3.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
