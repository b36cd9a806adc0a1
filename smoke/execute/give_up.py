"""Giving up early: pages and hosts that stopped answering, and the run's deadline, for all workers.

The rule (docs/time-to-verdict.md):

* After ``threshold`` consecutive navigation timeouts on one wiki and page, the rest of that
  page's checks on that wiki are not loaded. After ``threshold`` consecutive "cannot reach"
  results (connection refused, DNS, TLS) on one host, no page of any wiki on that host is loaded.
  A timed-out or unreachable attempt is not retried: the next check of the page is the second
  opinion (a retry would cost another timeout).
  Such checks are *broken* with the reason and the checks that tripped the rule; no retry is
  spent on them.
* An attempt that got an answer (passed, or failed: a product defect) resets the count of its
  page and host; a failed check never trips the rule. Once tripped, a key stays tripped for the
  run: the verdict "this page does not answer" is already known.
* At the deadline, checks not yet started are not loaded either.

Every worker of a run shares one small JSON file in the run directory, read and written under an
exclusive ``flock`` (released by the kernel if a worker dies).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from smoke.model.checks import Check
from smoke.model.findings import (
    CouldNotCheck,
    DeadlineReached,
    NavigationTimeout,
    PageGivenUp,
    TargetUnreachable,
)
from smoke.model.values import DEFAULT_GIVE_UP_AFTER

STATE_FILE = ".give-up.json"
LOCK_FILE = ".give-up.lock"
DEFAULT_THRESHOLD = DEFAULT_GIVE_UP_AFTER
SHOWN_CHECKS = 3  # how many tripping check ids a "not loaded" message names


@dataclass(frozen=True)
class Key:
    """What a could-not-check result counts against: one wiki's page, or one host."""

    scope: str  # "page" | "host"
    name: str  # "slowwiki/watchlist" | "127.0.0.1:8484"

    def text(self) -> str:
        return f"{self.scope}:{self.name}"


def page_key(check: Check) -> Key:
    return Key("page", f"{check.wiki}/{check.page.value}")


def host_key(check: Check) -> Key:
    return Key("host", urlsplit(check.url).netloc)


def counted_key(check: Check, error: CouldNotCheck) -> Key | None:
    """The key a could-not-check result counts against, or None when it does not count."""
    if isinstance(error, NavigationTimeout):
        return page_key(check)
    if isinstance(error, TargetUnreachable):
        return host_key(check)
    return None  # login problems, crashes, our own decisions: not the page's fault


class GiveUp:
    """The shared give-up state of one run: consult before loading, record after each attempt."""

    def __init__(
        self, run_dir: Path, threshold: int = DEFAULT_THRESHOLD, deadline: float | None = None
    ) -> None:
        if threshold < 1:
            raise ValueError("the give-up threshold must be at least 1")
        self.run_dir = run_dir
        self.threshold = threshold
        self.deadline = deadline  # time.time() seconds, or None

    # --- reading and writing the shared state ---------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.run_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            path = self.run_dir / STATE_FILE
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

    def tripped(self) -> dict[str, dict[str, Any]]:
        """Every tripped key with its record (for summary.md and tests)."""
        with self._locked() as state:
            return {k: dict(v) for k, v in state.items() if v.get("tripped")}

    # --- the two questions ------------------------------------------------------------------

    def reason_not_to_load(self, check: Check, *, now: float | None = None) -> CouldNotCheck | None:
        """Why ``check`` must not be loaded now, or None to go ahead."""
        if self.deadline is not None and (now or time.time()) >= self.deadline:
            return DeadlineReached(
                "not loaded: the run's deadline was reached before this check started"
            )
        with self._locked() as state:
            for key in (page_key(check), host_key(check)):
                entry = state.get(key.text())
                if entry and entry.get("tripped"):
                    return PageGivenUp(_message(key, entry), tripped_by=tuple(entry["checks"]))
        return None

    def may_retry(self, check: Check, error: CouldNotCheck | None) -> bool:
        """A result the rule counts (timeout, unreachable) is not retried: the next check of
        the page is the second opinion, and the rule gives up after ``threshold`` of them."""
        if error is not None and counted_key(check, error) is not None:
            return False
        return self.reason_not_to_load(check) is None

    def record(self, check: Check, error: CouldNotCheck | None) -> None:
        """Count one finished attempt: ``error`` None means the page answered."""
        if isinstance(error, PageGivenUp | DeadlineReached):
            return  # our own decision, not news about the page
        with self._locked() as state:
            if error is None:
                for key in (page_key(check), host_key(check)):
                    entry = state.get(key.text())
                    if entry and not entry.get("tripped"):
                        del state[key.text()]
                return
            counted = counted_key(check, error)
            if counted is None:
                return
            entry = state.setdefault(counted.text(), {"count": 0, "checks": [], "tripped": False})
            if entry["tripped"]:
                return
            entry["count"] += 1
            entry["kind"] = error.kind
            entry["message"] = str(error)
            if check.id not in entry["checks"]:
                entry["checks"].append(check.id)
            if entry["count"] >= self.threshold:
                entry["tripped"] = True


def _message(key: Key, entry: dict[str, Any]) -> str:
    count, checks = int(entry.get("count", 0)), list(entry.get("checks", []))
    shown = ", ".join(checks[:SHOWN_CHECKS]) + (", …" if len(checks) > SHOWN_CHECKS else "")
    if entry.get("kind") == NavigationTimeout.__name__:
        what = f"{count} earlier checks of {key.name} timed out"
        detail = str(entry.get("message", ""))
        if " within " in detail:  # "… did not finish loading within 25 s"
            what += " after " + detail.rsplit(" within ", 1)[1]
    else:
        what = f"{count} earlier checks could not reach {key.name}"
    return f"not loaded: {what} ({shown})"
