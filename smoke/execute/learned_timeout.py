"""A navigation timeout learned from history, that never makes a slow-but-healthy page a verdict.

The rule (docs/time-to-verdict.md), in one sentence: *a page that takes longer than 3x its p95
load time of the last runs (at least 10 s, at most the navigation timeout) is loaded once more
with the full navigation timeout, and only when that times out too is the page given up.*

* The learned limit of a wiki's page is ``K`` x the 95th percentile of the ``load`` times of its
  checks that passed in the last ``RECENT_RUNS`` finished runs of the same target, at least
  ``FLOOR_S``; pages with fewer than ``MIN_SAMPLES`` such loads, and limits at or above the
  configured navigation timeout, are not learned (the configured timeout applies).
* Going over the learned limit is a suspicion, never a verdict: that load is thrown away (it is
  no attempt, no retry, counts nothing) and the check is loaded again with the full timeout.
  If that answers, the page is slow but healthy: for the rest of the run, on every worker, it
  gets the full timeout at once. If that times out as well, the two limits agree and the page is
  given up (the give-up rule's second opinion is this load).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from pathlib import Path

from smoke.execute.give_up import GiveUp, page_key
from smoke.model.checks import Check
from smoke.model.findings import CouldNotCheck, NavigationTimeout
from smoke.model.outcome import Outcome
from smoke.output.past_runs import HistoryError, list_runs, load_run

K = 3.0
FLOOR_S = 10.0
MIN_SAMPLES = 5
RECENT_RUNS = 5
ANSWERED_OUTCOMES = (Outcome.PASSED.value, Outcome.FLAKY.value)


def p95(values: Iterable[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def learn(reports_dir: Path, target: str, runs: int = RECENT_RUNS) -> dict[str, float]:
    """``wiki/page`` -> learned navigation limit (s), from the newest runs of ``target``."""
    samples: dict[str, list[float]] = {}
    used = 0
    try:
        run_dirs = list(reversed(list_runs(reports_dir)))
    except OSError:
        return {}
    for run_dir in run_dirs:
        if used >= runs:
            break
        try:
            run = load_run(run_dir)
        except (HistoryError, OSError):
            continue  # an unreadable old run must not stop a new one
        if run.meta.get("target") != target:
            continue
        used += 1
        for check in run.checks:
            if check.get("outcome") not in ANSWERED_OUTCOMES:
                continue
            load_ms = (check.get("timings") or {}).get("load_ms")
            if isinstance(load_ms, int | float) and load_ms > 0:
                page = f"{check.get('wiki')}/{check.get('page')}"
                samples.setdefault(page, []).append(float(load_ms) / 1000)
    return {
        page: max(FLOOR_S, K * p95(loads))
        for page, loads in samples.items()
        if len(loads) >= MIN_SAMPLES
    }


class LearnedTimeouts:
    """The learned limits of one run, and what the run found out about them (shared state)."""

    def __init__(
        self, limits: dict[str, float], give_up: GiveUp, configured: Callable[[Check], float]
    ) -> None:
        self.limits = limits
        self.give_up = give_up
        self.configured = configured  # the check's configured navigation timeout

    def limit(self, check: Check) -> float | None:
        """The learned navigation limit for ``check``, or None: the configured timeout applies."""
        learned = self.limits.get(page_key(check).name)
        if learned is None or learned >= self.configured(check):
            return None
        if self.give_up.slow_but_healthy(check):
            return None
        return learned

    def second_opinion(self, check: Check, error: CouldNotCheck | None) -> None:
        """The full-timeout load after the learned limit tripped has ended with ``error``."""
        if isinstance(error, NavigationTimeout):
            self.give_up.give_up_page(check, error)  # both limits agree: the page is hung
        else:
            self.give_up.mark_slow_but_healthy(check)  # it answered: full timeouts from now on
