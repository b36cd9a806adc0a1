from __future__ import annotations

from smoke.judge.detectors import run_detectors
from smoke.judge.detectors.budget import budget
from smoke.model.checks import Expectation, Page
from smoke.model.record import PageRecord, Timings


def record(**timings: float | None) -> PageRecord:
    return PageRecord(requested_url="http://w/index.php", status=200, timings=Timings(**timings))


def test_over_budget_is_a_finding_naming_timing_and_limit() -> None:
    exp = Expectation(page=Page.RECENTCHANGES, budgets={"ready_ms": 1500.0})
    findings = list(budget(record(ready_ms=2300.4, load_ms=900.0), exp))
    assert len(findings) == 1
    assert findings[0].detector == "budget"
    assert "2300 ms" in findings[0].message and "1500 ms" in findings[0].message
    assert findings[0].evidence["timing"] == "ready_ms"


def test_within_budget_or_no_budget_or_no_timing_is_silent() -> None:
    exp = Expectation(page=Page.RECENTCHANGES, budgets={"ttfb_ms": 500.0, "load_ms": 2000.0})
    assert list(budget(record(ttfb_ms=499.0, load_ms=2000.0), exp)) == []
    assert list(budget(record(ttfb_ms=900.0), Expectation(page=Page.WATCHLIST))) == []
    assert list(budget(record(ttfb_ms=None), exp)) == []


def test_budget_runs_in_the_registry() -> None:
    exp = Expectation(page=Page.CONTRIBUTIONS, budgets={"load_ms": 10.0})
    names = [f.detector for f in run_detectors(record(load_ms=50.0), exp)]
    assert "budget" in names
