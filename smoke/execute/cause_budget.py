"""The cause budget: evidence and retries a root cause gets, counted across all workers of a run.

A broken deploy breaks fifty checks the same way; the fifty-first screenshot and the fifty-first
retry tell nobody anything new. The rules (docs/time-to-verdict.md):

* **Evidence**: the first ``per_cause`` checks of each root cause keep full evidence (screenshot,
  HTML, console log, record, trace); the others keep their result record and their cause id,
  and say which checks hold the evidence. A check whose cause is new always gets evidence.
* **Retries**: a failure whose cause at least ``confirmed_by`` other checks of this run have
  already ended with is final without a retry. A cause seen for the first time is retried, so
  flaky detection keeps working where it matters. Only checks that *ended* failed or broken
  confirm a cause: one that passed on its retry (flaky) does not.

Causes are :func:`smoke.output.causes.cause_key`, the one definition of "the same cause" that
results.json, summary.md and Allure group by. The counts live in one small JSON file in the run
directory, shared by every worker under an exclusive ``flock`` (as the give-up rule's).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from smoke.execute.shared_state import locked_state
from smoke.model.values import DEFAULT_EVIDENCE_PER_CAUSE

STATE_FILE = ".causes.json"
LOCK_FILE = ".causes.lock"
CONFIRMED_BY = 2  # other checks that ended with a cause before it is no longer retried


class CauseBudget:
    """The shared cause counts of one run: consult before a retry and before keeping evidence."""

    def __init__(
        self,
        run_dir: Path,
        per_cause: int = DEFAULT_EVIDENCE_PER_CAUSE,
        confirmed_by: int = CONFIRMED_BY,
    ) -> None:
        if per_cause < 1:
            raise ValueError("evidence_per_cause must be at least 1: a new cause gets evidence")
        self.run_dir = run_dir
        self.per_cause = per_cause
        self.confirmed_by = confirmed_by

    def _locked(self) -> AbstractContextManager[dict[str, Any]]:
        return locked_state(self.run_dir, STATE_FILE, LOCK_FILE)

    def confirmed(self, cause: str, check_id: str) -> bool:
        """Whether ``confirmed_by`` other checks already ended with ``cause`` (no retry then)."""
        with self._locked() as state:
            ended = state.get(cause, {}).get("ended", [])
            return len([c for c in ended if c != check_id]) >= self.confirmed_by

    def claim_evidence(self, cause: str, check_id: str) -> tuple[bool, list[str]]:
        """Whether ``check_id`` keeps evidence of ``cause``, and the checks that hold it.

        Idempotent per check: a check that got evidence for a cause (an earlier attempt) keeps
        getting it, and never takes a second place.
        """
        with self._locked() as state:
            entry = state.setdefault(cause, {"ended": [], "evidence": []})
            holders: list[str] = entry["evidence"]
            if check_id in holders:
                return True, list(holders)
            if len(holders) < self.per_cause:
                holders.append(check_id)
                return True, list(holders)
            entry["withheld"] = int(entry.get("withheld", 0)) + 1
            return False, list(holders)

    def ended(self, cause: str, check_id: str) -> None:
        """``check_id`` ended failed or broken with ``cause``: it counts towards confirming it."""
        with self._locked() as state:
            entry = state.setdefault(cause, {"ended": [], "evidence": []})
            if check_id not in entry["ended"]:
                entry["ended"].append(check_id)

    def counts(self) -> dict[str, dict[str, Any]]:
        """Every cause with the checks that ended with it and that hold evidence (tests, notes)."""
        with self._locked() as state:
            return {k: dict(v) for k, v in state.items()}
