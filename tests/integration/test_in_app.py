"""The in-app path on the real farm (docs/loading.md), on both MediaWiki generations: a variant as
a filter change in the page's filters app reads like its full load, and a crash of the special
page (the 2017 replay on 1.39, today's `crash` on 1.43) fails on it as on a full load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from smoke.browser.capture import PagePool, capture
from smoke.judge.detectors import run_detectors
from smoke.model.checks import Check
from smoke.plan.capture_settings import CaptureSettings
from smoke.plan.loading import may_load_in_app
from smoke.plan.planner import PlanOptions, make_plan
from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import ROOT


def checks(farm_state: FarmState, *variants: str) -> dict[str, Check]:
    options = PlanOptions(
        config_path=ROOT / "wikis.yaml",
        testbed_dir=Path(farm_state.state_dir),
        wikis=("enwiki",),
        pages=("recentchanges",),
        variants=variants,
    )
    return {c.variant: c for c in make_plan(options).checks}


GENERATIONS = [
    pytest.param(("farm_state", "fault", "null-threshold-crash"), id="1.39"),
    pytest.param(("farm_143", "fault_143", "crash"), id="1.43"),
]


@pytest.mark.parametrize("generation", GENERATIONS)
def test_in_app_variants_read_like_their_full_loads(
    request: pytest.FixtureRequest, browser: Browser, generation: tuple[str, str, str]
) -> None:
    farm_state: FarmState = request.getfixturevalue(generation[0])
    by_variant = checks(farm_state, "plain", "damaging=likelybad", "damaging+goodfaith")
    pool = PagePool(browser, user_agent="smoke-test")
    settings = CaptureSettings()
    page = pool.page_for("anon")
    assert not run_detectors(
        capture(page, by_variant["plain"], settings), by_variant["plain"].expectation
    )
    for name in ("damaging=likelybad", "damaging+goodfaith"):
        check = by_variant[name]
        assert may_load_in_app(check)
        in_app = capture(page, check, settings, in_app=True)
        full = capture(page, check, settings)
        assert (in_app.loaded, full.loaded) == ("in-app", "full")
        # After a full load the page is the variant's: the next in-app change starts over.
        capture(page, by_variant["plain"], settings)
        assert run_detectors(in_app, check.expectation) == []
        assert in_app.status == full.status == 200
        assert in_app.active_filters == full.active_filters and in_app.active_filters
        assert in_app.mw_config.filter_groups == full.mw_config.filter_groups
        assert in_app.mw_config.ores_scored is True
        assert in_app.timings.ready_ms is not None and in_app.timings.load_ms is None
    pool.close()


@pytest.mark.parametrize("generation", GENERATIONS)
def test_a_crash_of_the_special_page_fails_in_app_as_on_a_full_load(
    request: pytest.FixtureRequest, browser: Browser, generation: tuple[str, str, str]
) -> None:
    farm_state: FarmState = request.getfixturevalue(generation[0])
    fault: Callable[..., None] = request.getfixturevalue(generation[1])
    by_variant = checks(farm_state, "plain", "damaging=likelybad")
    check = by_variant["damaging=likelybad"]
    pool = PagePool(browser, user_agent="smoke-test")
    settings = CaptureSettings()
    page = pool.page_for("anon")
    capture(page, by_variant["plain"], settings)  # the app is up, healthy
    fault("enwiki", generation[2])  # then the deploy (1.39: the 2017 replay, thresholds null)
    in_app = capture(page, check, settings, in_app=True)
    full = capture(page, check, settings)
    assert in_app.loaded == "in-app" and in_app.status == 500 == full.status
    for record in (in_app, full):
        [finding, *_] = run_detectors(record, check.expectation)
        assert finding.detector == "server-error", finding
        assert "RuntimeException" in finding.message
        assert finding.evidence["request_id"] and finding.evidence["request_id"] in finding.message
    pool.close()
