"""Testbed process groups: session leaders, stopped as a whole group, never a stranger's."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smoke.testbed import processes

# A leader that forks a child which keeps running (like php -S with PHP_CLI_SERVER_WORKERS).
FORKING = (
    "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', sys.argv[1]]); "
    "time.sleep(60)"
)


def _members(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is ``pgid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _wait_members(pgid: int, count: int, timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        members = _members(pgid)
        if len(members) >= count:
            return members
        time.sleep(0.05)
    raise AssertionError(f"group {pgid} never reached {count} processes: {_members(pgid)}")


@pytest.fixture
def groups(tmp_path: Path) -> Iterator[list[int]]:
    """Process groups started by a test; whatever is left is killed afterwards."""
    started: list[int] = []
    yield started
    for pgid in started:
        for pid in _members(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pgid, os.WNOHANG)


def _start(groups: list[int], tmp_path: Path, marker: str) -> int:
    pgid = processes.start_group(
        [sys.executable, "-c", FORKING, marker],
        env=dict(os.environ),
        log_file=tmp_path / "logs" / "x.log",
    )
    groups.append(pgid)
    _wait_members(pgid, 2)
    return pgid


def test_start_group_makes_a_session_leader_and_logs(tmp_path: Path, groups: list[int]) -> None:
    pgid = _start(groups, tmp_path, "smoke-unit-marker-a")
    assert os.getpgid(pgid) == pgid
    assert os.getsid(pgid) == pgid  # its own session: no terminal signals reach it
    assert (tmp_path / "logs" / "x.log").exists()
    assert processes.group_alive(pgid, "smoke-unit-marker-a")
    assert not processes.group_alive(pgid, "php -S 127.0.0.1:1")
    assert not processes.group_alive(None, "smoke-unit-marker-a")


def test_stop_group_stops_the_forked_children_too(tmp_path: Path, groups: list[int]) -> None:
    pgid = _start(groups, tmp_path, "smoke-unit-marker-b")
    assert processes.stop_group(pgid, "smoke-unit-marker-b") is True
    assert _members(pgid) == []
    assert not processes.group_alive(pgid, "smoke-unit-marker-b")
    # Stopping again is harmless and says it was not running.
    assert processes.stop_group(pgid, "smoke-unit-marker-b") is False


def test_stop_group_cleans_up_workers_whose_leader_died(tmp_path: Path, groups: list[int]) -> None:
    pgid = _start(groups, tmp_path, "smoke-unit-marker-c")
    os.kill(pgid, 9)  # only the leader, like killing php -S's master by hand
    os.waitpid(pgid, 0)
    assert _members(pgid)  # the forked child still runs
    assert processes.stop_group(pgid, "smoke-unit-marker-c") is False
    deadline = time.monotonic() + 3
    while _members(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _members(pgid) == []


def test_stop_group_never_signals_a_group_that_is_not_ours(
    tmp_path: Path, groups: list[int]
) -> None:
    """A recycled id (stale state after a reboot) must not get a stranger's group killed."""
    pgid = _start(groups, tmp_path, "someone-elses-server")
    assert processes.stop_group(pgid, "php -S 127.0.0.1:8481") is False
    time.sleep(0.3)
    assert len(_members(pgid)) == 2
    assert processes.group_alive(pgid, "someone-elses-server")


def test_port_is_free_sees_a_listening_socket() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert processes.port_is_free(port) is False
    assert processes.port_is_free(port) is True


def test_wait_http_gives_up_on_a_closed_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    assert processes.wait_http(f"http://127.0.0.1:{port}/", timeout=0.5) is False
    assert time.monotonic() - started < 3
    assert processes.http_ok(f"http://127.0.0.1:{port}/", timeout=0.5) is False


def test_a_service_that_never_answers_is_not_left_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`up` gives up on a server that does not answer; it must not leave it running untracked."""
    from smoke.testbed import farm
    from smoke.testbed.errors import EnvironmentProblem
    from smoke.testbed.state import FarmState, ProcessState

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    state = FarmState(state_dir=str(tmp_path), base_port=port, service=ProcessState(port=port))
    monkeypatch.setattr(processes, "wait_http", lambda url, *, timeout: False)
    with pytest.raises(EnvironmentProblem, match="did not start"):
        farm._start_service(state)
    leftovers = [
        p
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and f"--port {port} ".encode() in _cmdline(p) + b" "
    ]
    for proc in leftovers:  # clean up before failing
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(proc.name), 9)
    assert leftovers == []
    assert state.service.pgid is None


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return b""
