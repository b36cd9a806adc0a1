"""Stopping signals: SIGINT (Ctrl-C), SIGTERM (CI timeouts and cancels, systemd, ``timeout``)
and SIGHUP (a closed terminal or SSH session) all end a run or a watch the same way.

The first one raises :class:`KeyboardInterrupt` in the main process (pytest and the watch loop
already stop on it and write what finished) and is remembered, so the reports can name it and
the exit code can be 128 + its number. While the run-level files are written the main process
*defers* it instead: it is remembered, the writing goes on. A second signal ends the process at
once: the login sessions are removed and what was written stays.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# Signals a worker process stops on (the main process sends SIGTERM to its workers; SIGINT from
# the terminal reaches every process of its group and only the main process acts on it).
WORKER_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def signal_name(signum: int) -> str:
    return signal.Signals(signum).name


def exit_code(signum: int) -> int:
    """The shell's convention for a process ended by a signal: 128 + its number."""
    return 128 + signum


class Stopper:
    """The main process's handler of the stop signals (one per run or watch)."""

    def __init__(self, private_dir: Path | None = None) -> None:
        self.received: int | None = None  # the first stop signal
        self.private_dir = private_dir  # removed when a second signal ends the process at once
        self.deferring = False
        self.on_first: Callable[[int], None] = lambda signum: None
        self._previous: dict[int, Any] = {}

    @property
    def name(self) -> str | None:
        return signal_name(self.received) if self.received is not None else None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            self._now(signum)
        self.received = signum
        self.on_first(signum)
        if not self.deferring:
            raise KeyboardInterrupt

    def _now(self, signum: int) -> None:
        """A second signal: no more waiting (CI's kill is near, or the user insists)."""
        if self.private_dir is not None:
            shutil.rmtree(self.private_dir, ignore_errors=True)  # sessions are secrets
        try:
            os.write(
                sys.stderr.fileno(),
                f"smoke: second signal ({signal_name(signum)}): stopping at once; what was "
                "written so far stays\n".encode(),
            )
        except OSError:
            pass
        os._exit(exit_code(self.received or signum))

    def install(self) -> None:
        """Only from the main thread (Python's rule for signal handlers)."""
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self.handle)

    def restore(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """While the run-level files are written: a first signal is noted, never raised."""
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False


_worker_stopping: list[int] = []  # the signal a worker process was told to stop by


def raise_interrupt(signum: int, frame: FrameType | None) -> None:
    """A worker told to stop: leave the check in progress unreported, as Ctrl-C would.

    Once only: the same signal often arrives twice (the group's, then the main process's), and
    a second interrupt would cut the worker's own cleanup (closing its browser) short.
    """
    if _worker_stopping:
        return
    _worker_stopping.append(signum)
    raise KeyboardInterrupt


def worker_stopping() -> bool:
    """Whether this worker was told to stop: a check that broke now broke because of it (its
    browser driver got the same signal), not because of the wiki."""
    return bool(_worker_stopping)


def stop_workers(pids: list[int]) -> None:
    """Tell workers to stop now (their handler raises KeyboardInterrupt in the check)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            continue
