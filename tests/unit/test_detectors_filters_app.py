"""filters-app: the structured filters UI initialised on RecentChanges/Watchlist."""

from __future__ import annotations

import pytest

from smoke.judge.detectors.filters_app import filters_app
from smoke.model.checks import Expectation, Page
from smoke.model.findings import Finding
from smoke.model.record import PageRecord


def run(
    page: Page,
    ready: bool | None,
    body_classes: tuple[str, ...] = (),
    module_states: dict[str, str] | None = None,
) -> list[Finding]:
    record = PageRecord(
        requested_url="http://w/",
        status=200,
        filters_ready=ready,
        body_classes=body_classes,
        module_states=module_states or {},
    )
    return list(filters_app.func(record, Expectation(page=page)))


@pytest.mark.parametrize("page", [Page.RECENTCHANGES, Page.WATCHLIST])
def test_not_ready_is_a_finding(page: Page) -> None:
    [finding] = run(page, False, body_classes=("mediawiki", "mw-rcfilters-enabled"))
    assert finding.detector == "filters-app"
    assert finding.message == "structured filters UI did not initialise"
    assert finding.evidence == {"rcfilters_enabled_class": "present"}


def test_evidence_tells_whether_the_server_enabled_the_app() -> None:
    states = {"mediawiki.rcfilters.filters.ui": "error"}
    [finding] = run(Page.RECENTCHANGES, False, module_states=states)
    assert finding.evidence == {
        "rcfilters_enabled_class": "absent",
        "module_state": "mediawiki.rcfilters.filters.ui=error",
    }


def test_ready_or_unknown_is_not_a_finding() -> None:
    assert run(Page.RECENTCHANGES, True, body_classes=("mw-rcfilters-ui-initialized",)) == []
    assert run(Page.WATCHLIST, None) == []


def test_contributions_has_no_filters_app() -> None:
    assert run(Page.CONTRIBUTIONS, False) == []
