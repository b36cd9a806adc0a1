"""Which checks may be taken in the filters app (smoke.plan.loading), from the default matrix."""

from __future__ import annotations

from smoke.config.expand import page_url
from smoke.config.variants import DEFAULT_VARIANTS
from smoke.model.checks import Check, Expectation, Page
from smoke.plan.loading import may_load_in_app, page_key

BASE = "http://127.0.0.1:8481"


def check(page: Page, params: dict[str, str]) -> Check:
    return Check(
        id="enwiki/x/y",
        target="local",
        wiki="enwiki",
        page=page,
        variant="y",
        url=page_url(BASE, page, params, user="Alice"),
        expectation=Expectation(page=page),
    )


def in_app_variants(page: Page) -> set[str]:
    return {
        v.name
        for v in DEFAULT_VARIANTS
        if v.applies_to(page) and may_load_in_app(check(page, dict(v.params)))
    }


def test_the_default_matrix_on_recentchanges_and_watchlist() -> None:
    expected = {
        "damaging=likelygood",
        "damaging=maybebad",
        "damaging=likelybad",
        "damaging=verylikelybad",
        "goodfaith=likelygood",
        "goodfaith=maybebad",
        "goodfaith=likelybad",
        "goodfaith=verylikelybad",
        "damaging+goodfaith",
        "highlight",
    }
    # plain (each page's first load), hidenondamaging (a server-side boolean filter) and
    # enhanced (another renderer, a sticky preference) stay full loads.
    assert in_app_variants(Page.RECENTCHANGES) == expected
    assert in_app_variants(Page.WATCHLIST) == expected


def test_contributions_is_always_a_full_load() -> None:
    assert in_app_variants(Page.CONTRIBUTIONS) == set()


def test_unknown_or_sticky_parameters_keep_the_full_load() -> None:
    assert not may_load_in_app(check(Page.RECENTCHANGES, {"damaging": "likelybad", "limit": "5"}))
    assert not may_load_in_app(check(Page.RECENTCHANGES, {"days": "1"}))


def test_page_key_drops_the_variant() -> None:
    plain = page_url(BASE, Page.RECENTCHANGES, {})
    filtered = page_url(BASE, Page.RECENTCHANGES, {"damaging": "likelybad"})
    assert page_key(plain) == page_key(filtered) == f"{BASE}/index.php?title=Special:RecentChanges"
    assert page_key(page_url(BASE, Page.WATCHLIST, {})) != page_key(plain)
    assert page_key(page_url("http://127.0.0.1:8482", Page.RECENTCHANGES, {})) != page_key(plain)


def test_results_and_summary_say_which_way_checks_were_loaded() -> None:
    from smoke.output.results import CheckResult, loaded_counts
    from smoke.output.summary import render_summary

    def result(name: str, loaded: str, outcome: str = "passed") -> CheckResult:
        return CheckResult(
            id=f"enwiki/recentchanges/{name}",
            target="local",
            wiki="enwiki",
            page="recentchanges",
            variant=name,
            url="http://x",
            outcome=outcome,
            loaded=loaded,
        )

    results = [
        result("plain", "full"),
        result("damaging=likelybad", "in-app"),
        result("goodfaith=likelybad", "in-app"),
        result("enhanced", "", outcome="skipped"),
    ]
    assert loaded_counts([r.__dict__ for r in results]) == {"full": 1, "in-app": 2}
    lines = render_summary(results, {"run_id": "r", "target": "local"}).splitlines()
    assert "Loaded: 1 from their URL (full page load), 2 as a filter change" in lines[2]
    only_full = render_summary(results[:1], {"run_id": "r", "target": "local"})
    assert "Loaded:" not in only_full
