"""``budget``: page timings over the per-page budgets of wikis.yaml.

A slow page is not broken, but a deploy that doubles the time to a usable RecentChanges is worth a
line in the report of its own, apart from correctness findings. Only the budgets given for the
page are checked; a timing the browser did not report (page never got that far) is not judged
here — the check was broken or another detector speaks.
"""

from __future__ import annotations

from collections.abc import Iterator

from smoke.judge.detectors.registry import detector
from smoke.model.checks import Expectation
from smoke.model.findings import Finding
from smoke.model.record import PageRecord

NAME = "budget"

LABELS = {
    "ttfb_ms": "time to first byte",
    "load_ms": "load event",
    "ready_ms": "ready (filters UI initialised)",
}


@detector(NAME)
def budget(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """Page timings (TTFB, load, filters ready) over the page's budget in wikis.yaml."""
    for key, label in LABELS.items():
        limit = expectation.budgets.get(key)
        value = getattr(record.timings, key)
        if limit is None or value is None or value <= limit:
            continue
        yield Finding(
            NAME,
            f"{label} took {value:.0f} ms, over the budget of {limit:.0f} ms",
            {"timing": key, "value_ms": f"{value:.0f}", "budget_ms": f"{limit:.0f}"},
        )
