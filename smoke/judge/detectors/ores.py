"""``ores-present`` and ``ores-applied``: ORES filters are offered and do what the URL asks.

Since the 2017 incident (T181006) Extension:ORES degrades silently: a broken threshold no longer
throws, the page is HTTP 200 and the ``damaging``/``goodfaith`` groups (or single levels) are just
absent, and ``damaging=…`` in the URL is dropped. These detectors make that absence a finding.

- ``ores-present`` judges only pages that loaded (status < 400): a 5xx is ``server-error``'s
  finding and "ORES missing" on it would be noise; a 4xx or no response is a problem of its own.
  On RC/WL it wants every configured group and, within each group, every configured level the
  check asks for (``Expectation.expected_levels``): a configured level missing from the page is
  what a threshold that came back null looks like. A level that is not configured was never
  requested and is not expected; a page offering more levels than configured is fine.
  *Drift*: a level the last earlier run of the target saw on the page and that is gone now is a
  finding too — on the checks asking for it, and (for levels wikis.yaml does not list) on one
  check per page (``Expectation.reports_drift``), naming the run where it was last seen.
  On Contributions the checkbox survives a broken scoring service or null thresholds (it then
  filters nothing); what goes is the scores. A page that lists edits, none scored, where an
  earlier run saw scores (``Expectation.last_seen_scored``) is a finding; without that evidence
  it is not (the user's edits may never have been scored: old edits, wikis scoring only RC).
- ``ores-applied`` judges only RC/WL pages whose filters app initialised and whose group exists:
  a missing app is ``filters-app``'s finding, a missing group or configured level
  ``ores-present``'s. A requested level the wiki does not offer is reported as that (its
  threshold is missing), not also as "not active".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from smoke.judge.detectors.registry import detector
from smoke.model.checks import ORES_LEVELS, Expectation
from smoke.model.findings import Finding
from smoke.model.record import FilterGroup, PageRecord

PRESENT = "ores-present"
APPLIED = "ores-applied"

MISSING_PREFIX = "ORES filters missing (silent degradation)"
DAMAGING = "damaging"
CONTRIBUTIONS_CHECKBOX = "ores-hide-nondamaging"
_CHECKBOX_ID = re.compile(r"""\bid\s*=\s*(["'])""" + CONTRIBUTIONS_CHECKBOX + r"\1")
SCORES_GONE_PREFIX = "ORES scores gone since run"
# A row of the list: ContribsPager and ChangesList put the revision id on every row.
_LISTED_EDIT = re.compile(r"\bdata-mw-revid\s*=")


def _offered(groups: tuple[FilterGroup, ...]) -> dict[str, tuple[str, ...]]:
    offered: dict[str, tuple[str, ...]] = {}
    for group in groups:
        offered[group.name] = offered.get(group.name, ()) + group.filters
    return offered


def _loaded(record: PageRecord) -> bool:
    return record.status is not None and record.status < 400


def _missing_groups(record: PageRecord, expected: frozenset[str]) -> Iterator[Finding]:
    groups = record.mw_config.filter_groups
    offered = _offered(groups or ())
    missing = sorted(expected - offered.keys())
    if not missing:
        return
    if groups is None:
        present = "(wgStructuredChangeFilters not set)"
    else:
        present = ", ".join(offered) or "(none)"
    yield Finding(
        PRESENT,
        f"{MISSING_PREFIX}: {', '.join(missing)} not offered; groups present: {present}",
        {"missing": ", ".join(missing), "present": present},
    )


def _missing_levels(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """Configured levels the URL asks for, absent from a group that is there (a missing group is
    reported alone). Only the checks that ask for a level fail when it vanishes: the rest of the
    page works, and the one cause is reported once per check that depends on it."""
    expected = expectation.expected_levels
    offered = _offered(record.mw_config.filter_groups or ())
    for model in sorted(expected):
        if model not in offered:
            continue
        asked = expectation.requested_filters.get(model, ())
        missing = [
            level
            for level in ORES_LEVELS
            if level in asked and level in expected[model] and level not in offered[model]
        ]
        if not missing:
            continue
        present = ", ".join(offered[model]) or "(none)"
        several = len(missing) > 1
        seen = [lv for lv in missing if lv in expectation.last_seen_levels.get(model, ())]
        since = f"; last seen in run {expectation.last_seen_run}" if seen else ""
        yield Finding(
            PRESENT,
            f"{MISSING_PREFIX}: {model} level{'s' if several else ''} {', '.join(missing)} "
            f"configured in wikis.yaml but not offered (threshold came back null?){since}; "
            f"{model} offers: {present}",
            {
                "missing": ", ".join(f"{model}={level}" for level in missing),
                "present": f"{model}: {present}",
            },
        )


def _drift(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """Levels the last run saw here that are gone now and that wikis.yaml does not list (those
    it lists fail the checks asking for them): a loss nobody wrote down."""
    groups = record.mw_config.filter_groups
    if groups is None:
        return  # no filters app data at all: filters-app / ores-present report the page
    offered = _offered(groups)
    for model in sorted(expectation.last_seen_levels):
        if model in expectation.expected_models and model not in offered:
            continue  # a configured group missing: _missing_groups reported it
        configured = expectation.expected_levels.get(model, frozenset())
        lost = [
            level
            for level in ORES_LEVELS
            if level in expectation.last_seen_levels[model]
            and level not in offered.get(model, ())
            and level not in configured
        ]
        if not lost:
            continue
        yield Finding(
            PRESENT,
            f"ORES {model} level{'s' if len(lost) > 1 else ''} {', '.join(lost)} offered in run "
            f"{expectation.last_seen_run} and gone now (threshold came back null?); not listed in "
            "wikis.yaml, so only this comparison sees it",
            {
                "lost": ", ".join(f"{model}={level}" for level in lost),
                "last_seen_run": expectation.last_seen_run,
                "present": ", ".join(offered.get(model, ())) or "(none)",
            },
        )


def _missing_checkbox(record: PageRecord) -> Iterator[Finding]:
    if _CHECKBOX_ID.search(record.html):
        return
    yield Finding(
        PRESENT,
        f'{MISSING_PREFIX}: "hide probably good edits" (#{CONTRIBUTIONS_CHECKBOX}) not on the page',
        {"missing": DAMAGING, "element": f"#{CONTRIBUTIONS_CHECKBOX}"},
    )


def _scores_gone(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    if not expectation.last_seen_scored or record.mw_config.ores_scored is not False:
        return  # no earlier evidence, scores shown, or unknown (mw never loaded)
    if not _LISTED_EDIT.search(record.html):
        return  # nothing listed (e.g. hidenondamaging with no damaging edit): nothing to score
    yield Finding(
        PRESENT,
        f"{SCORES_GONE_PREFIX} {expectation.last_seen_run}: the page lists edits but none is "
        "scored (scoring service or thresholds broken?)",
        {"last_seen_run": expectation.last_seen_run, "missing": "oresData (scored rows)"},
    )


@detector(PRESENT)
def ores_present(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """The ORES filters the wiki is configured for are on the page (catches silent degradation)."""
    expected = expectation.expected_models
    if not expected or not _loaded(record):
        return
    if expectation.page.has_filters_app:
        yield from _missing_groups(record, expected)
        yield from _missing_levels(record, expectation)
        if expectation.reports_drift:
            yield from _drift(record, expectation)
    elif DAMAGING in expected:
        yield from _missing_checkbox(record)
        yield from _scores_gone(record, expectation)


def _not_applied(
    group: str,
    values: tuple[str, ...],
    offered: tuple[str, ...],
    active: tuple[str, ...],
    configured: frozenset[str],
) -> Iterator[Finding]:
    for value in values:
        if value not in offered and value in configured:
            continue  # a configured level missing from the page: ores-present reports it
        evidence = {
            "filter": f"{group}={value}",
            "offered": ", ".join(offered),
            "active": ", ".join(active),
        }
        if value not in offered:
            problem = "level not offered by the wiki (threshold missing?)"
        elif value not in active:
            problem = "not active"
        else:
            continue
        yield Finding(APPLIED, f"ORES filter {group}={value} requested but {problem}", evidence)


@detector(APPLIED)
def ores_applied(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """RecentChanges/Watchlist: the ORES filters in the URL are offered and active in the UI."""
    groups = record.mw_config.filter_groups
    if not expectation.page.has_filters_app or record.filters_ready is not True or groups is None:
        return
    offered: Mapping[str, tuple[str, ...]] = _offered(groups)
    for group, values in expectation.requested_filters.items():
        if group in offered:
            active = record.active_filters.get(group, ())
            configured = expectation.expected_levels.get(group, frozenset())
            yield from _not_applied(group, values, offered[group], active, configured)
