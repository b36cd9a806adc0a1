"""Politeness: how many page loads may be in flight against one host, across all workers.

Each host has ``limit`` slot files; a check holds one (an exclusive ``flock`` on its own file
descriptor) from navigation start until the page has been read, so at most ``limit`` checks load
pages from one host at once, whichever worker runs them. ``flock`` locks belong to the open file,
so they are released even if a worker dies, and two checks in one process still exclude each other.
Low-traffic targets (beta, staging) are what this protects: the default is 2.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_SECONDS = 0.02


class HostSlots:
    def __init__(self, directory: Path, limit: int) -> None:
        if limit < 1:
            raise ValueError("the per-host limit must be at least 1")
        self.directory = directory
        self.limit = limit

    def _path(self, host: str, index: int) -> Path:
        safe = re.sub(r"[^A-Za-z0-9.-]", "_", host)
        return self.directory / f"{safe}.{index}.slot"

    @contextmanager
    def hold(self, host: str, *, timeout: float = 600.0) -> Iterator[float]:
        """Wait for a free slot of ``host`` (yields the seconds waited)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        # Start at a different slot per process so workers do not all contend for slot 0.
        first = os.getpid() % self.limit
        while True:
            for offset in range(self.limit):
                fd = os.open(
                    self._path(host, (first + offset) % self.limit), os.O_RDWR | os.O_CREAT, 0o600
                )
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    os.close(fd)
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    continue
                try:
                    yield time.monotonic() - started
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
                return
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"no free slot for {host} within {timeout:.0f} s")
            time.sleep(POLL_SECONDS)
