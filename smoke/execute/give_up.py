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
* Once ``WIKI_AFTER_PAGES`` pages of one wiki have been given up, the wiki's other pages are not
  loaded either: a wiki whose pages hang one after the other is hung (issue 18: each hung page
  costs a worker two timeouts).
* A learned timeout (:mod:`smoke.execute.learned_timeout`) that trips is checked by one load
  with the full timeout; when that times out too the page is given up at once, when it answers
  the page is *slow but healthy* and keeps the full timeout for the rest of the run.
* At the deadline, checks not yet started are not loaded either.

Every worker of a run shares one small JSON file in the run directory, read and written under an
exclusive ``flock`` (released by the kernel if a worker dies).
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from smoke.execute.shared_state import locked_state
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
WIKI_AFTER_PAGES = 2  # given-up pages of one wiki after which the whole wiki is given up
SLOW_BUT_HEALTHY = "slow-but-healthy"  # pages that answered after their learned limit


@dataclass(frozen=True)
class Key:
    """What a could-not-check result counts against: one wiki's page, or one host."""

    scope: str  # "page" | "host" | "wiki"
    name: str  # "slowwiki/watchlist" | "127.0.0.1:8484" | "slowwiki"

    def text(self) -> str:
        return f"{self.scope}:{self.name}"


def page_key(check: Check) -> Key:
    return Key("page", f"{check.wiki}/{check.page.value}")


def host_key(check: Check) -> Key:
    return Key("host", urlsplit(check.url).netloc)


def wiki_key(check: Check) -> Key:
    return Key("wiki", check.wiki)


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

    # --- the shared state -------------------------------------------------------------------

    def _locked(self) -> AbstractContextManager[dict[str, Any]]:
        return locked_state(self.run_dir, STATE_FILE, LOCK_FILE)

    def tripped(self) -> dict[str, dict[str, Any]]:
        """Every tripped key with its record (for summary.md and tests)."""
        with self._locked() as state:
            return {
                k: dict(v) for k, v in state.items() if isinstance(v, dict) and v.get("tripped")
            }

    # --- the two questions ------------------------------------------------------------------

    def reason_not_to_load(self, check: Check, *, now: float | None = None) -> CouldNotCheck | None:
        """Why ``check`` must not be loaded now, or None to go ahead."""
        if self.deadline is not None and (now or time.time()) >= self.deadline:
            return DeadlineReached(
                "not loaded: the run's deadline was reached before this check started"
            )
        with self._locked() as state:
            for key in (page_key(check), host_key(check), wiki_key(check)):
                entry = state.get(key.text())
                if entry and entry.get("tripped"):
                    return PageGivenUp(_message(key, entry), tripped_by=tuple(entry["checks"]))
        return None

    # --- learned timeouts (smoke.execute.learned_timeout) -------------------------------------

    def slow_but_healthy(self, check: Check) -> bool:
        with self._locked() as state:
            return page_key(check).name in state.get(SLOW_BUT_HEALTHY, [])

    def slow_pages(self) -> list[str]:
        """Pages that answered only after their learned limit (for summary.md)."""
        with self._locked() as state:
            return list(state.get(SLOW_BUT_HEALTHY, []))

    def mark_slow_but_healthy(self, check: Check) -> None:
        with self._locked() as state:
            pages = state.setdefault(SLOW_BUT_HEALTHY, [])
            if page_key(check).name not in pages:
                pages.append(page_key(check).name)

    def give_up_page(self, check: Check, error: NavigationTimeout) -> None:
        """The learned limit and the full timeout agree: the page is given up now."""
        with self._locked() as state:
            key = page_key(check)
            entry = state.setdefault(key.text(), {"count": 0, "checks": [], "tripped": False})
            if entry["tripped"]:
                return
            entry.update(count=entry["count"] + 1, kind=error.kind, message=str(error))
            if check.id not in entry["checks"]:
                entry["checks"].append(check.id)
            _trip(state, key, entry)

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
                _trip(state, counted, entry)


def _trip(state: dict[str, Any], key: Key, entry: dict[str, Any]) -> None:
    """Trip ``key``; a wiki with ``WIKI_AFTER_PAGES`` pages given up is given up as a whole."""
    entry["tripped"] = True
    if key.scope != "page":
        return
    wiki = key.name.split("/", 1)[0]
    pages = [
        k
        for k, v in state.items()
        if k.startswith(f"page:{wiki}/") and isinstance(v, dict) and v.get("tripped")
    ]
    if len(pages) >= WIKI_AFTER_PAGES:
        state.setdefault(
            Key("wiki", wiki).text(),
            {
                "count": len(pages),
                "checks": [p.split(":", 1)[1] for p in sorted(pages)],
                "tripped": True,
                "kind": "pages",
            },
        )


def _message(key: Key, entry: dict[str, Any]) -> str:
    count, checks = int(entry.get("count", 0)), list(entry.get("checks", []))
    shown = ", ".join(checks[:SHOWN_CHECKS]) + (", …" if len(checks) > SHOWN_CHECKS else "")
    if key.scope == "wiki":
        what = f"{count} pages of {key.name} were given up"
    elif entry.get("kind") == NavigationTimeout.__name__:
        what = f"{count} earlier checks of {key.name} timed out"
        detail = str(entry.get("message", ""))
        if " within " in detail:  # "… did not finish loading within 25 s"
            what += " after " + detail.rsplit(" within ", 1)[1]
    else:
        what = f"{count} earlier checks could not reach {key.name}"
    return f"not loaded: {what} ({shown})"
