"""PagePool and capture on the real farm: pages are reused, renewed, and stay independent."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Playwright

from smoke.browser.capture import PagePool, capture
from smoke.browser.chromium import find_chromium
from smoke.model.checks import Check
from smoke.plan.capture_settings import CaptureSettings
from smoke.plan.planner import PlanOptions, make_plan
from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import ROOT


def rc_checks(farm_state: FarmState, wiki: str) -> list[Check]:
    """RecentChanges checks of one farm wiki, as wikis.yaml expands them."""
    options = PlanOptions(
        config_path=ROOT / "wikis.yaml",
        testbed_dir=Path(farm_state.state_dir),
        wikis=(wiki,),
        pages=("recentchanges",),
        variants=("plain", "damaging=*"),
    )
    return make_plan(options).checks


def test_pages_are_reused_then_renewed_in_the_same_context(
    farm_state: FarmState, browser: Browser
) -> None:
    pool = PagePool(browser, user_agent="smoke-test", max_uses=3)
    settings = CaptureSettings()
    seen = []
    for check in rc_checks(farm_state, "enwiki")[:4]:
        page = pool.page_for("anon")
        record = capture(page, check, settings)
        pool.after_check("anon")
        assert record.filters_ready and record.status == 200
        assert "damaging" in {g.name for g in record.mw_config.filter_groups or ()}
        seen.append(page)
    # Three checks on one page, then a fresh page (a new renderer) in the *same* context.
    assert seen[0] is seen[1] is seen[2]
    assert seen[3] is not seen[2] and seen[2].is_closed()
    assert seen[3].context is seen[2].context
    # A second identity gets its own context: cookies of the two never mix.
    other = pool.page_for("user:enwiki")
    assert other.context is not seen[3].context
    pool.close()
    assert seen[3].is_closed() and other.is_closed()


def test_listeners_of_one_check_do_not_leak_into_the_next(
    farm_state: FarmState, browser: Browser
) -> None:
    pool = PagePool(browser, user_agent="smoke-test")
    settings = CaptureSettings()
    page = pool.page_for("anon")
    page.evaluate("() => console.error('noise from before the check')")
    first = capture(page, rc_checks(farm_state, "ruwiki")[0], settings)
    second = capture(pool.page_for("anon"), rc_checks(farm_state, "frwiki")[0], settings)
    assert not any("noise from before" in m.text for m in first.console + second.console)
    assert first.final_url.startswith(farm_state.wikis["ruwiki"].url)
    assert second.final_url.startswith(farm_state.wikis["frwiki"].url)
    # The HTML comes with the state, read in the same wait.
    assert 'id="mw-content-text"' in second.html and second.html.startswith("<!DOCTYPE html>")
    pool.close()


def test_a_page_not_ready_in_time_is_still_read(farm_state: FarmState, browser: Browser) -> None:
    # The settle alone outlasts a 1 ms ready timeout: the wait ends, the state is read as it is.
    pool = PagePool(browser, user_agent="smoke-test")
    settings = CaptureSettings(ready_timeout_s=0.001, settle_ms=500)
    record = capture(pool.page_for("anon"), rc_checks(farm_state, "enwiki")[0], settings)
    assert record.status == 200
    assert record.mw_config.canonical_special_page == "Recentchanges"
    assert record.filters_ready is ("mw-rcfilters-ui-initialized" in record.body_classes)
    assert record.timings.ready_ms is not None
    assert "mw-content-text" in record.html
    pool.close()


def test_after_check_collects_garbage_with_a_gc_the_page_cannot_touch(
    farm_state: FarmState, browser: Browser
) -> None:
    pool = PagePool(browser, user_agent="smoke-test")
    page = pool.page_for("anon")
    capture(page, rc_checks(farm_state, "enwiki")[0], CaptureSettings())
    # A page's own `gc` is not what smoke calls, and smoke's handle cannot be replaced.
    page.evaluate(
        """() => {
            window.gc = () => { window.pageGcCalled = true; };
            try { window.__smokeCollectGarbage = window.gc; } catch (e) {}
            window.garbageRef = new WeakRef({payload: new Array(1e5).fill('x')});
        }"""
    )
    # A WeakRef target stays alive until a collection after the job that made it.
    assert page.evaluate("garbageRef.deref() !== undefined")
    pool.after_check("anon")
    assert page.evaluate("garbageRef.deref() === undefined")
    assert page.evaluate("window.pageGcCalled") is None
    pool.close()


def test_after_check_is_harmless_without_the_gc_flag(
    farm_state: FarmState, playwright: Playwright
) -> None:
    # A browser smoke did not launch (--cdp-endpoint) may lack the flag: no error, no collection.
    plain = playwright.chromium.launch(executable_path=find_chromium(None).executable)
    pool = PagePool(plain, user_agent="smoke-test")
    page = pool.page_for("anon")
    record = capture(page, rc_checks(farm_state, "frwiki")[0], CaptureSettings())
    pool.after_check("anon")
    assert record.filters_ready and not page.is_closed()
    assert page.evaluate("typeof __smokeCollectGarbage") == "undefined"
    pool.close()
    plain.close()
