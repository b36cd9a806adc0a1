"""The detector registry: names, help, selection, and a crashing detector's fate."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smoke.judge.detectors import ALL_DETECTORS, describe, run_detectors
from smoke.judge.detectors.registry import Detector, build_registry, detector, run, truncate
from smoke.model.checks import Expectation, Page
from smoke.model.findings import Finding
from smoke.model.record import (
    ConsoleMessage,
    FilterGroup,
    MwConfig,
    PageError,
    PageRecord,
    SubRequest,
)

NAMES = [
    "server-error",
    "javascript",
    "subrequests",
    "resourceloader",
    "filters-app",
    "ores-present",
    "ores-applied",
    "ores-scoring",
    "budget",
]
ORIGIN = "http://127.0.0.1:8401"
EXPECTATION = Expectation(
    page=Page.RECENTCHANGES,
    expected_models=frozenset({"damaging", "goodfaith"}),
    requested_filters={"damaging": ("likelybad",)},
    origin=ORIGIN,
)
GROUPS = (
    FilterGroup("registration", ("unregistered", "registered")),
    FilterGroup("damaging", ("likelygood", "maybebad", "likelybad", "verylikelybad")),
    FilterGroup("goodfaith", ("good", "maybebad", "bad", "verylikelybad")),
)
HEALTHY = PageRecord(
    requested_url=f"{ORIGIN}/index.php?title=Special:RecentChanges&damaging=likelybad",
    status=200,
    console=(
        ConsoleMessage(
            "error",
            "Failed to load resource: the server responded with a status of 404 (Not Found)",
            f"{ORIGIN}/favicon.ico",
        ),
    ),
    subrequests=(SubRequest(url=f"{ORIGIN}/favicon.ico", status=404),),
    module_states={"mediawiki.rcfilters.filters.ui": "ready", "ext.ores.styles": "ready"},
    mw_config=MwConfig("Recentchanges", "abc123", None, GROUPS),
    body_classes=("mediawiki", "mw-rcfilters-enabled", "mw-rcfilters-ui-initialized"),
    html='<div id="mw-content-text"><div class="mw-changeslist"></div></div>',
    filters_ready=True,
    active_filters={"damaging": ("likelybad",)},
)
# The 2017 incident: HTTP 500 error page on RecentChanges, filters app never started.
BROKEN = PageRecord(
    requested_url=HEALTHY.requested_url,
    status=500,
    page_errors=(PageError("TypeError: boom"),),
    mw_config=MwConfig("Recentchanges", "abc123"),
    html=(
        '<title>Internal error - Wiki</title><div id="mw-content-text">'
        '<div class="mw-message-box-error mw-message-box">[abc123] 2017-11-20 12:00:00: '
        "Fatal exception of type &quot;RuntimeException&quot;</div></div>"
    ),
    filters_ready=False,
)


def test_all_detectors_in_order() -> None:
    assert list(ALL_DETECTORS) == NAMES
    assert all(ALL_DETECTORS[name].name == name for name in NAMES)


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        ALL_DETECTORS["x"] = ALL_DETECTORS["javascript"]  # type: ignore[index]


def test_describe_gives_one_line_help_per_detector() -> None:
    described = describe()
    assert [name for name, _ in described] == NAMES
    for _, help_text in described:
        assert help_text
        assert "\n" not in help_text


def test_healthy_page_has_no_findings() -> None:
    assert run_detectors(HEALTHY, EXPECTATION) == []


def test_broken_page_findings_from_every_detector_that_sees_it() -> None:
    findings = run_detectors(BROKEN, EXPECTATION)
    assert [f.detector for f in findings] == ["server-error", "javascript", "filters-app"]
    assert findings[0].message == (
        'HTTP 500: Fatal exception of type "RuntimeException" (request id abc123)'
    )


def test_enabled_selects_detectors_and_keeps_registry_order() -> None:
    findings = run_detectors(BROKEN, EXPECTATION, enabled=["filters-app", "server-error"])
    assert [f.detector for f in findings] == ["server-error", "filters-app"]
    assert run_detectors(BROKEN, EXPECTATION, enabled=()) == []


def test_unknown_detector_name_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="unknown detector") as excinfo:
        run_detectors(HEALTHY, EXPECTATION, enabled={"server-error", "nope"})
    message = str(excinfo.value)
    assert "nope" in message
    for name in NAMES:
        assert name in message


@detector("always")
def _always(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """Always finds something."""
    yield Finding("always", "found")


@detector("crashes")
def _crashes(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """Finds one thing, then crashes."""
    yield Finding("crashes", "before the crash")
    raise KeyError("filter_groups")


def test_a_crashing_detector_becomes_an_internal_finding() -> None:
    registry = build_registry(_crashes, _always)
    findings = run(registry, HEALTHY, EXPECTATION)
    assert [(f.detector, f.message) for f in findings] == [
        ("crashes", "before the crash"),
        ("internal", "detector 'crashes' crashed: KeyError: 'filter_groups'"),
        ("always", "found"),
    ]
    assert findings[1].evidence == {"detector": "crashes", "exception": "KeyError: 'filter_groups'"}


def test_detector_wraps_without_registering() -> None:
    assert isinstance(_always, Detector)
    assert _always.help == "Always finds something."
    assert _always(HEALTHY, EXPECTATION) == [Finding("always", "found")]
    assert "always" not in ALL_DETECTORS


def test_detector_needs_a_docstring() -> None:
    def undocumented(record: PageRecord, expectation: Expectation) -> list[Finding]:
        return []

    with pytest.raises(TypeError, match="docstring"):
        detector("undocumented")(undocumented)


def test_duplicate_or_reserved_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        build_registry(_always, _always)
    internal = Detector("internal", "x", _always.func)
    with pytest.raises(ValueError, match="reserved"):
        build_registry(internal)


def test_truncate() -> None:
    assert truncate("short") == "short"
    assert truncate("x" * 10, limit=5) == "xxxx…"
