"""resourceloader: modules in state "error", one finding each."""

from __future__ import annotations

from smoke.judge.detectors.resourceloader import resourceloader
from smoke.model.checks import Expectation, Page
from smoke.model.findings import Finding
from smoke.model.record import PageRecord


def run(states: dict[str, str]) -> list[Finding]:
    record = PageRecord(requested_url="http://w/", status=200, module_states=states)
    return list(resourceloader.func(record, Expectation(page=Page.RECENTCHANGES)))


def test_one_finding_per_failed_module_sorted() -> None:
    findings = run(
        {
            "mediawiki.rcfilters.filters.ui": "error",
            "ext.ores.styles": "ready",
            "ext.ores.api": "error",
        }
    )
    assert [f.message for f in findings] == [
        'ResourceLoader module "ext.ores.api" is in state "error"',
        'ResourceLoader module "mediawiki.rcfilters.filters.ui" is in state "error"',
    ]
    assert findings[0].evidence == {"module": "ext.ores.api", "state": "error"}
    assert {f.detector for f in findings} == {"resourceloader"}


def test_other_states_are_not_findings() -> None:
    states = {"a": "ready", "b": "registered", "c": "loading", "d": "loaded", "e": "executing"}
    assert run(states) == []
    assert run({}) == []
