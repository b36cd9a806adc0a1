"""The outcome of a check, and counting outcomes over a run (one counter for every report)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from enum import StrEnum


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # findings: the wiki is broken
    BROKEN = "broken"  # could not check
    SKIPPED = "skipped"
    FLAKY = "flaky"  # failed or broken, then passed on a retry
    KNOWN = "known"  # failed, but covered by a known issue (quarantine) in wikis.yaml


def count_outcomes(outcomes: Iterable[str]) -> dict[str, int]:
    """Every outcome with its count (zeros included), in the order of :class:`Outcome`.

    An outcome smoke does not know (a hand-edited or newer results.json) is counted too, after.
    """
    counter: Counter[str] = Counter({outcome.value: 0 for outcome in Outcome})
    counter.update(outcomes)
    return dict(counter)
