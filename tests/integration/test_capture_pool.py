"""PagePool and capture on the real farm: pages are reused, renewed, and stay independent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from smoke.browser import find_chromium
from smoke.capture import CaptureSettings, PagePool, capture
from smoke.checks import Check, Expectation, Page
from smoke.testbed.state import FarmState


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=find_chromium(None).executable)
        yield chromium
        chromium.close()


def rc_check(farm_state: FarmState, wiki: str, query: str = "") -> Check:
    base = farm_state.wikis[wiki].url
    return Check(
        id=f"{wiki}/recentchanges/test",
        target="local",
        wiki=wiki,
        page=Page.RECENTCHANGES,
        variant="test",
        url=f"{base}/index.php?title=Special:RecentChanges{query}",
        expectation=Expectation(page=Page.RECENTCHANGES, origin=base),
    )


def test_pages_are_reused_then_renewed_in_the_same_context(
    farm_state: FarmState, browser: Browser
) -> None:
    pool = PagePool(browser, user_agent="smoke-test", max_uses=3)
    settings = CaptureSettings()
    seen = []
    for n in range(4):
        page = pool.page_for("anon")
        record = capture(page, rc_check(farm_state, "enwiki", f"&limit={50 + n}"), settings)
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
    first = capture(page, rc_check(farm_state, "ruwiki"), settings)
    second = capture(pool.page_for("anon"), rc_check(farm_state, "frwiki"), settings)
    assert not any("noise from before" in m.text for m in first.console + second.console)
    assert first.final_url.startswith(farm_state.wikis["ruwiki"].url)
    assert second.final_url.startswith(farm_state.wikis["frwiki"].url)
    # The HTML comes with the state, read in the same wait.
    assert 'id="mw-content-text"' in second.html and second.html.startswith("<!DOCTYPE html>")
    pool.close()
