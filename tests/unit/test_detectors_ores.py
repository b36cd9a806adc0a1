"""ores-present and ores-applied: ORES filters are offered and the requested ones are active."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from smoke.judge.detectors.ores import ores_applied, ores_present
from smoke.model.checks import Expectation, Page
from smoke.model.findings import Finding
from smoke.model.record import FilterGroup, MwConfig, PageRecord

LEVELS = ("likelygood", "maybebad", "likelybad", "verylikelybad")
CORE_GROUPS = (
    FilterGroup("registration", ("unregistered", "registered")),
    FilterGroup("userExpLevel", ("newcomer", "learner", "experienced")),
)
DAMAGING = FilterGroup("damaging", LEVELS)
# Filter names are the level names in both groups (only the row CSS suffixes differ:
# goodfaith-good, goodfaith-bad); the extension's defaults leave goodfaith verylikelybad off.
GOODFAITH = FilterGroup("goodfaith", ("likelygood", "maybebad", "likelybad"))
BOTH = frozenset({"damaging", "goodfaith"})
DEFAULT_LEVELS = {
    "damaging": frozenset(LEVELS),
    "goodfaith": frozenset({"likelygood", "maybebad", "likelybad"}),
}


def rc_record(
    groups: tuple[FilterGroup, ...] | None,
    *,
    status: int | None = 200,
    ready: bool | None = True,
    active: dict[str, tuple[str, ...]] | None = None,
) -> PageRecord:
    return PageRecord(
        requested_url="http://w/index.php?title=Special:RecentChanges",
        status=status,
        mw_config=MwConfig(canonical_special_page="Recentchanges", filter_groups=groups),
        filters_ready=ready,
        active_filters=active or {},
    )


def present(
    record: PageRecord,
    models: frozenset[str] = BOTH,
    page: Page = Page.RECENTCHANGES,
    levels: Mapping[str, frozenset[str]] | None = None,
    requested: Mapping[str, tuple[str, ...]] | None = None,
    **drift: Any,
) -> list[Finding]:
    expectation = Expectation(
        page=page,
        expected_models=models,
        expected_levels=levels or {},
        requested_filters=requested if requested is not None else ALL_REQUESTED,
        **drift,
    )
    return list(ores_present.func(record, expectation))


# A check asking for every level (like damaging+goodfaith combined): missing configured levels
# are judged on the checks that ask for them.
ALL_REQUESTED = {
    "damaging": ("likelygood", "maybebad", "likelybad", "verylikelybad"),
    "goodfaith": ("likelygood", "maybebad", "likelybad", "verylikelybad"),
}


def applied(
    record: PageRecord,
    requested: Mapping[str, tuple[str, ...]],
    page: Page = Page.RECENTCHANGES,
    levels: Mapping[str, frozenset[str]] | None = None,
) -> list[Finding]:
    expectation = Expectation(
        page=page, expected_models=BOTH, expected_levels=levels or {}, requested_filters=requested
    )
    return list(ores_applied.func(record, expectation))


# --- ores-present on RecentChanges / Watchlist ------------------------------------------------


@pytest.mark.parametrize("page", [Page.RECENTCHANGES, Page.WATCHLIST])
def test_all_expected_groups_present(page: Page) -> None:
    assert present(rc_record((*CORE_GROUPS, DAMAGING, GOODFAITH)), page=page) == []


def test_silent_degradation_names_missing_and_present_groups() -> None:
    [finding] = present(rc_record(CORE_GROUPS))
    assert finding.detector == "ores-present"
    assert finding.message == (
        "ORES filters missing (silent degradation): damaging, goodfaith not offered; "
        "groups present: registration, userExpLevel"
    )
    assert finding.evidence == {
        "missing": "damaging, goodfaith",
        "present": "registration, userExpLevel",
    }


def test_one_group_missing() -> None:
    [finding] = present(rc_record((*CORE_GROUPS, DAMAGING)))
    assert finding.evidence["missing"] == "goodfaith"


def test_filter_groups_not_defined_counts_as_missing() -> None:
    [finding] = present(rc_record(None))
    assert finding.message.startswith("ORES filters missing (silent degradation): damaging")
    assert finding.evidence["present"] == "(wgStructuredChangeFilters not set)"


def test_empty_filter_groups() -> None:
    [finding] = present(rc_record(()))
    assert finding.evidence["present"] == "(none)"


# --- ores-present: configured levels ----------------------------------------------------------


def test_configured_levels_all_offered() -> None:
    assert present(rc_record((DAMAGING, GOODFAITH)), levels=DEFAULT_LEVELS) == []


def test_configured_level_missing_is_a_failure_naming_level_and_cause() -> None:
    # verylikelybad's threshold came back null: the extension dropped the level silently.
    damaging = FilterGroup("damaging", ("likelygood", "maybebad", "likelybad"))
    [finding] = present(rc_record((damaging, GOODFAITH)), levels=DEFAULT_LEVELS)
    assert finding.detector == "ores-present"
    assert finding.message == (
        "ORES filters missing (silent degradation): damaging level verylikelybad configured in "
        "wikis.yaml but not offered (threshold came back null?); damaging offers: likelygood, "
        "maybebad, likelybad"
    )
    assert finding.evidence == {
        "missing": "damaging=verylikelybad",
        "present": "damaging: likelygood, maybebad, likelybad",
    }


def test_several_levels_missing_in_both_groups() -> None:
    damaging = FilterGroup("damaging", ("likelygood", "maybebad"))
    goodfaith = FilterGroup("goodfaith", ("likelygood",))
    findings = present(rc_record((damaging, goodfaith)), levels=DEFAULT_LEVELS)
    assert [f.evidence["missing"] for f in findings] == [
        "damaging=likelybad, damaging=verylikelybad",
        "goodfaith=maybebad, goodfaith=likelybad",
    ]
    assert "damaging levels likelybad, verylikelybad configured" in findings[0].message


def test_level_not_configured_is_not_expected() -> None:
    # The extension's defaults switch goodfaith verylikelybad off: its absence is no finding.
    assert "verylikelybad" not in GOODFAITH.filters
    assert present(rc_record((DAMAGING, GOODFAITH)), levels=DEFAULT_LEVELS) == []
    # frwiki-like configuration: damaging without maybebad.
    damaging = FilterGroup("damaging", ("likelygood", "likelybad", "verylikelybad"))
    levels = {**DEFAULT_LEVELS, "damaging": frozenset(damaging.filters)}
    assert present(rc_record((damaging, GOODFAITH)), levels=levels) == []


def test_more_levels_than_configured_is_fine() -> None:
    goodfaith = FilterGroup("goodfaith", LEVELS)  # the wiki offers verylikelybad too
    assert present(rc_record((DAMAGING, goodfaith)), levels=DEFAULT_LEVELS) == []


def test_missing_group_is_reported_once_not_per_level() -> None:
    [finding] = present(rc_record((*CORE_GROUPS, DAMAGING)), levels=DEFAULT_LEVELS)
    assert finding.evidence["missing"] == "goodfaith"


def test_without_level_expectations_only_groups_are_checked() -> None:
    assert present(rc_record((FilterGroup("damaging", ("likelygood",)), GOODFAITH))) == []


def test_wiki_without_ores_expects_nothing() -> None:
    assert present(rc_record(CORE_GROUPS), models=frozenset()) == []


@pytest.mark.parametrize("status", [500, 404, None])
def test_pages_that_did_not_load_are_left_to_other_detectors(status: int | None) -> None:
    assert present(rc_record(None, status=status)) == []


# --- ores-present on Contributions ------------------------------------------------------------


def contributions(html: str, status: int = 200, scored: bool | None = None) -> PageRecord:
    return PageRecord(
        requested_url="http://w/index.php?title=Special:Contributions/X",
        status=status,
        html=html,
        mw_config=MwConfig(canonical_special_page="Contributions", ores_scored=scored),
    )


@pytest.mark.parametrize(
    "checkbox",
    [
        '<input name="hidenondamaging" type="checkbox" value="1" id="ores-hide-nondamaging"/>',
        "<input type='checkbox' id='ores-hide-nondamaging'>",
    ],
)
def test_contributions_checkbox_present(checkbox: str) -> None:
    html = f'<form id="mw-sp-contributions-form">{checkbox}</form>'
    assert present(contributions(html), page=Page.CONTRIBUTIONS) == []


def test_contributions_checkbox_missing() -> None:
    html = '<form id="mw-sp-contributions-form"><label for="ores-hide-nondamaging">x</label></form>'
    [finding] = present(contributions(html), page=Page.CONTRIBUTIONS)
    assert finding.message.startswith("ORES filters missing (silent degradation)")
    assert "#ores-hide-nondamaging" in finding.message
    assert finding.evidence["missing"] == "damaging"


def test_contributions_only_checks_damaging() -> None:
    record = contributions("<form></form>")
    assert present(record, models=frozenset({"goodfaith"}), page=Page.CONTRIBUTIONS) == []


def test_contributions_error_page_is_not_judged() -> None:
    assert present(contributions("", status=500), page=Page.CONTRIBUTIONS) == []


# Contributions as the real extension renders it with the scoring service down: the checkbox
# stays, the rows are there, none carries a score.
CHECKBOX = '<input type="checkbox" id="ores-hide-nondamaging" name="hidenondamaging" value="1">'
ROWS = (
    '<ul class="mw-contributions-list">'
    '<li data-mw-revid="12" class="">edit</li><li data-mw-revid="11" class="">edit</li></ul>'
)
SEEN: dict[str, Any] = {"last_seen_scored": True, "last_seen_run": "20261128-010000-abc"}


def test_contributions_scores_gone_since_an_earlier_run_is_a_finding() -> None:
    record = contributions(CHECKBOX + ROWS, scored=False)
    [finding] = present(record, page=Page.CONTRIBUTIONS, **SEEN)
    assert finding.detector == "ores-present"
    assert finding.message == (
        "ORES scores gone since run 20261128-010000-abc: the page lists edits but none is "
        "scored (scoring service or thresholds broken?)"
    )
    assert finding.evidence["last_seen_run"] == "20261128-010000-abc"


def test_contributions_without_scores_and_no_earlier_evidence_passes() -> None:
    # The user's edits may never have been scored (old edits): the page alone cannot tell.
    record = contributions(CHECKBOX + ROWS, scored=False)
    assert present(record, page=Page.CONTRIBUTIONS) == []
    assert present(record, page=Page.CONTRIBUTIONS, last_seen_run="run-1") == []


@pytest.mark.parametrize(
    ("html", "scored", "models", "status"),
    [
        (CHECKBOX + ROWS, True, BOTH, 200),  # scored now
        (CHECKBOX + ROWS, None, BOTH, 200),  # unknown: mw never loaded
        (CHECKBOX + '<ul class="mw-contributions-list"></ul>', False, BOTH, 200),  # no edits
        (CHECKBOX + ROWS, False, frozenset({"goodfaith"}), 200),  # damaging not configured
        (CHECKBOX + ROWS, False, BOTH, 500),  # server-error's finding
    ],
)
def test_contributions_scores_gone_needs_every_condition(
    html: str, scored: bool | None, models: frozenset[str], status: int
) -> None:
    record = contributions(html, status=status, scored=scored)
    assert present(record, models=models, page=Page.CONTRIBUTIONS, **SEEN) == []


def test_contributions_checkbox_missing_and_scores_gone_are_two_findings() -> None:
    [checkbox, scores] = present(contributions(ROWS, scored=False), page=Page.CONTRIBUTIONS, **SEEN)
    assert "#ores-hide-nondamaging" in checkbox.message
    assert scores.message.startswith("ORES scores gone since run")


# --- ores-applied -----------------------------------------------------------------------------


def test_requested_filter_active() -> None:
    record = rc_record((*CORE_GROUPS, DAMAGING), active={"damaging": ("likelybad",)})
    assert applied(record, {"damaging": ("likelybad",)}) == []


def test_requested_filter_not_active() -> None:
    record = rc_record((*CORE_GROUPS, DAMAGING), active={"damaging": ("maybebad",)})
    [finding] = applied(record, {"damaging": ("likelybad",)})
    assert finding.detector == "ores-applied"
    assert finding.message == "ORES filter damaging=likelybad requested but not active"
    assert finding.evidence["filter"] == "damaging=likelybad"
    assert finding.evidence["active"] == "maybebad"


def test_requested_level_not_offered_by_the_wiki() -> None:
    # The threshold of "verylikelybad" did not parse: the server dropped the level.
    damaging = FilterGroup("damaging", ("likelygood", "maybebad", "likelybad"))
    record = rc_record((damaging,), active={"damaging": ("likelybad",)})
    [finding] = applied(record, {"damaging": ("likelybad", "verylikelybad")})
    assert finding.message.startswith(
        "ORES filter damaging=verylikelybad requested but level not offered by the wiki"
    )
    assert finding.evidence["offered"] == "likelygood, maybebad, likelybad"


def test_configured_level_not_offered_is_left_to_ores_present() -> None:
    damaging = FilterGroup("damaging", ("likelygood", "maybebad", "likelybad"))
    record = rc_record((damaging,), active={"damaging": ("likelybad",)})
    requested = {"damaging": ("likelybad", "verylikelybad")}
    assert applied(record, requested, levels=DEFAULT_LEVELS) == []
    # ... which reports it, once.
    [finding] = present(
        record, models=frozenset({"damaging"}), levels=DEFAULT_LEVELS, requested=requested
    )
    assert finding.evidence["missing"] == "damaging=verylikelybad"


def test_configured_level_offered_but_not_active_is_still_reported() -> None:
    record = rc_record((DAMAGING,), active={"damaging": ("maybebad",)})
    [finding] = applied(record, {"damaging": ("likelybad",)}, levels=DEFAULT_LEVELS)
    assert finding.message == "ORES filter damaging=likelybad requested but not active"


def test_several_groups_and_values() -> None:
    record = rc_record((DAMAGING, GOODFAITH), active={"goodfaith": ("likelybad",)})
    findings = applied(
        record, {"damaging": ("likelybad", "verylikelybad"), "goodfaith": ("likelybad",)}
    )
    assert [f.evidence["filter"] for f in findings] == [
        "damaging=likelybad",
        "damaging=verylikelybad",
    ]


def test_missing_group_is_left_to_ores_present() -> None:
    assert applied(rc_record(CORE_GROUPS), {"damaging": ("likelybad",)}) == []
    assert applied(rc_record(None), {"damaging": ("likelybad",)}) == []


@pytest.mark.parametrize("ready", [False, None])
def test_app_not_ready_is_left_to_filters_app(ready: bool | None) -> None:
    assert applied(rc_record((DAMAGING,), ready=ready), {"damaging": ("likelybad",)}) == []


def test_contributions_is_ignored() -> None:
    record = rc_record((DAMAGING,))
    assert applied(record, {"damaging": ("likelybad",)}, page=Page.CONTRIBUTIONS) == []


def test_nothing_requested() -> None:
    assert applied(rc_record((DAMAGING,)), {}) == []


def test_a_missing_level_fails_only_the_checks_that_ask_for_it() -> None:
    # level-null goodfaith likelybad: the plain check and a damaging check still pass.
    goodfaith = FilterGroup("goodfaith", ("likelygood", "maybebad"))
    record = rc_record((DAMAGING, goodfaith))
    assert present(record, levels=DEFAULT_LEVELS, requested={}) == []
    assert present(record, levels=DEFAULT_LEVELS, requested={"damaging": ("likelybad",)}) == []
    [finding] = present(
        record, levels=DEFAULT_LEVELS, requested={"goodfaith": ("maybebad", "likelybad")}
    )
    assert finding.evidence["missing"] == "goodfaith=likelybad"


def test_drift_reports_a_lost_level_nobody_configured_naming_the_run() -> None:
    # wikis.yaml: defaults only; last night the wiki also offered goodfaith verylikelybad.
    last = {"goodfaith": frozenset({"likelygood", "maybebad", "likelybad", "verylikelybad"})}
    record = rc_record((DAMAGING, GOODFAITH))  # verylikelybad gone now
    drift: dict[str, Any] = {"last_seen_levels": last, "last_seen_run": "20261128-010000-abc"}
    [finding] = present(record, levels=DEFAULT_LEVELS, requested={}, reports_drift=True, **drift)
    assert finding.evidence["lost"] == "goodfaith=verylikelybad"
    assert "run 20261128-010000-abc" in finding.message
    # Only the page's drift reporter says so; other variants do not repeat it.
    assert present(record, levels=DEFAULT_LEVELS, requested={}, **drift) == []
    # Nothing lost: nothing said.
    now = rc_record((DAMAGING, FilterGroup("goodfaith", LEVELS)))
    assert present(now, levels=DEFAULT_LEVELS, requested={}, reports_drift=True, **drift) == []


def test_a_configured_level_lost_names_the_run_where_it_was_last_seen() -> None:
    damaging = FilterGroup("damaging", ("likelygood", "likelybad", "verylikelybad"))
    [finding] = present(
        rc_record((damaging, GOODFAITH)),
        levels=DEFAULT_LEVELS,
        requested={"damaging": ("maybebad",)},
        last_seen_levels={"damaging": frozenset(LEVELS)},
        last_seen_run="run-1",
    )
    assert "damaging level maybebad configured" in finding.message
    assert "last seen in run run-1" in finding.message
