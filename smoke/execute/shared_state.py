"""A small JSON file shared by every worker of a run, read and written under an exclusive ``flock``.

The give-up rule and the cause budget keep their run-wide counts this way: the kernel releases
the lock when a worker dies, and a reader never sees half a file (write to a temporary, rename).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def locked_state(run_dir: Path, state_file: str, lock_file: str) -> Iterator[dict[str, Any]]:
    """The state as a dict, held under the lock; written back only when the block changed it."""
    run_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(run_dir / lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        path = run_dir / state_file
        try:
            state: dict[str, Any] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            state = {}
        before = json.dumps(state, sort_keys=True)
        yield state
        if json.dumps(state, sort_keys=True) != before:
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(state, indent=1), "utf-8")
            tmp.replace(path)
    finally:
        os.close(fd)
