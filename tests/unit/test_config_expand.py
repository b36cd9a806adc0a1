"""Expansion of a target into checks: ids, URLs, expectations, skip reasons, testbed URLs."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from smoke.config import (
    ConfigError,
    Selection,
    build_checks,
    expired_allowlist,
    load_config,
    page_url,
)
from smoke.config.schema import SmokeConfig
from smoke.model.checks import (
    Check,
    Expectation,
    NewCheck,
    NewExpectation,
    Page,
    new_check,
    new_expectation,
)
from tests.unit.config_files import BASE_URLS, ENV, TARGETS, TODAY, by_id, local


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "wikis.yaml"
    path.write_text(TARGETS, encoding="utf-8")
    return path


@pytest.fixture
def config(config_path: Path) -> SmokeConfig:
    return load_config(config_path)


# --- counts, ids, order ---------------------------------------------------------------------


def test_local_counts(config: SmokeConfig) -> None:
    checks = local(config)
    # 13 RC + 13 WL + 2 Contributions per wiki.
    assert len(checks) == 3 * 28
    assert len({c.id for c in checks}) == len(checks)
    skipped = [c for c in checks if c.skip_reason]
    # enwiki (the extension's default levels): goodfaith=verylikelybad, on RC and WL;
    # arwiki: 4 goodfaith levels + damaging+goodfaith, on RC and WL; nooreswiki: every ORES variant.
    assert len(skipped) == 2 + 10 + 25


def test_ids_and_order(config: SmokeConfig) -> None:
    checks = local(config, selection=Selection(wikis=("enwiki",)))
    assert checks[0].id == "enwiki/recentchanges/plain"
    assert checks[1].id == "enwiki/recentchanges/damaging=likelygood"
    assert checks[13].id == "enwiki/watchlist/plain"
    assert [c.id for c in checks[-2:]] == [
        "enwiki/contributions/plain",
        "enwiki/contributions/hidenondamaging",
    ]
    first = checks[0]
    assert (first.target, first.wiki, first.page, first.variant) == (
        "local",
        "enwiki",
        Page.RECENTCHANGES,
        "plain",
    )


def test_wiki_pages_subset(config: SmokeConfig) -> None:
    checks = build_checks(config, "beta", environ=ENV, today=TODAY)
    wikidata = [c for c in checks if c.wiki == "wikidatawiki"]
    assert len(wikidata) == 26
    assert {c.page for c in wikidata} == {Page.RECENTCHANGES, Page.WATCHLIST}


# --- URLs -----------------------------------------------------------------------------------


def test_testbed_urls(config: SmokeConfig) -> None:
    checks = by_id(local(config))
    assert checks["enwiki/recentchanges/plain"].url == (
        "http://127.0.0.1:8401/index.php?title=Special:RecentChanges"
    )
    assert checks["arwiki/watchlist/damaging=likelybad"].url == (
        "http://127.0.0.1:8402/index.php?title=Special:Watchlist&damaging=likelybad"
    )
    # enwiki has the default levels: goodfaith verylikelybad is off, so it is not asked for.
    assert checks["enwiki/recentchanges/damaging+goodfaith"].url == (
        "http://127.0.0.1:8401/index.php?title=Special:RecentChanges"
        "&damaging=likelybad;verylikelybad&goodfaith=likelybad"
    )
    assert checks["enwiki/watchlist/highlight"].url.endswith(
        "&highlight=1&damaging__likelybad_color=c4&damaging__verylikelybad_color=c5"
    )


def test_contributions_url_uses_the_user(config: SmokeConfig) -> None:
    checks = by_id(local(config))
    assert checks["enwiki/contributions/plain"].url.endswith("?title=Special:Contributions/Alice")
    assert checks["arwiki/contributions/hidenondamaging"].url == (
        "http://127.0.0.1:8402/index.php?title=Special:Contributions/Bob_Smith&hidenondamaging=1"
    )


def test_page_url_encodes_users() -> None:
    url = page_url("https://x.org/w/", Page.CONTRIBUTIONS, {}, "Ülrich & Co")
    assert url == "https://x.org/w/index.php?title=Special:Contributions/%C3%9Clrich_%26_Co"


def test_template_urls(config: SmokeConfig) -> None:
    checks = by_id(build_checks(config, "beta", environ=ENV, today=TODAY))
    en = checks["enwiki/recentchanges/plain"]
    assert en.url == "https://en.wikipedia.beta.wmcloud.org/w/index.php?title=Special:RecentChanges"
    assert en.expectation.origin == "https://en.wikipedia.beta.wmcloud.org"
    wd = checks["wikidatawiki/watchlist/plain"]
    assert wd.url == "https://wikidata.beta.wmcloud.org/w/index.php?title=Special:Watchlist"


def test_id_template(config: SmokeConfig) -> None:
    check = build_checks(config, "nologin", environ={}, today=TODAY)[0]
    assert check.url == "http://enwiki.staging.example.org/index.php?title=Special:RecentChanges"
    assert check.expectation.origin == "http://enwiki.staging.example.org"


# --- expectations ---------------------------------------------------------------------------


def test_expectation(config: SmokeConfig) -> None:
    check = by_id(local(config))["enwiki/watchlist/damaging+goodfaith"]
    expectation = check.expectation
    assert expectation.page is Page.WATCHLIST
    assert expectation.expected_models == {"damaging", "goodfaith"}
    assert expectation.expected_levels == {
        "damaging": {"likelygood", "maybebad", "likelybad", "verylikelybad"},
        "goodfaith": {"likelygood", "maybebad", "likelybad"},
    }
    assert expectation.requested_filters == {
        "damaging": ("likelybad", "verylikelybad"),
        "goodfaith": ("likelybad",),
    }
    assert expectation.origin == "http://127.0.0.1:8401"
    assert check.needs_login is True
    assert check.skip_reason is None


def test_non_ores_wiki_expects_no_models(config: SmokeConfig) -> None:
    check = by_id(local(config))["nooreswiki/recentchanges/plain"]
    assert check.expectation.expected_models == frozenset()
    assert check.expectation.expected_levels == {}
    assert check.skip_reason is None


def test_allowlist_in_force(config: SmokeConfig) -> None:
    check = local(config)[0]
    assert [e.pattern for e in check.expectation.allowlist] == ["favicon\\.ico", "old noise"]
    later = build_checks(config, "local", base_urls=BASE_URLS, today=date(2026, 2, 1))[0]
    assert [e.pattern for e in later.expectation.allowlist] == ["favicon\\.ico"]


def test_expired_allowlist(config: SmokeConfig) -> None:
    assert expired_allowlist(config, date(2026, 1, 31)) == []
    expired = expired_allowlist(config, date(2026, 2, 1))
    assert [(e.pattern, e.task, e.expires) for e in expired] == [
        ("old noise", "T1", date(2026, 1, 31))
    ]


# --- skip reasons ---------------------------------------------------------------------------


def test_missing_model_is_skipped_not_passed(config: SmokeConfig) -> None:
    checks = by_id(local(config))
    check = checks["arwiki/recentchanges/goodfaith=maybebad"]
    assert check.skip_reason == (
        "arwiki has no ORES goodfaith (ores: [damaging] in wikis.yaml); ORES variant not applicable"
    )
    assert checks["arwiki/recentchanges/damaging=maybebad"].skip_reason is None


def test_non_ores_wiki_skips_every_ores_variant(config: SmokeConfig) -> None:
    checks = [c for c in local(config) if c.wiki == "nooreswiki"]
    running = [c.id for c in checks if c.skip_reason is None]
    assert running == [
        "nooreswiki/recentchanges/plain",
        "nooreswiki/watchlist/plain",
        "nooreswiki/contributions/plain",
    ]
    hide = next(c for c in checks if c.id == "nooreswiki/contributions/hidenondamaging")
    assert (
        hide.skip_reason is not None
        and "no ORES damaging (ores: [] in wikis.yaml)" in hide.skip_reason
    )


def test_skip_variants(config: SmokeConfig) -> None:
    checks = by_id(build_checks(config, "beta", environ=ENV, today=TODAY))
    reason = checks["wikidatawiki/recentchanges/highlight"].skip_reason
    assert reason is not None and "skip_variants" in reason
    assert checks["enwiki/recentchanges/highlight"].skip_reason is None


def test_no_login_skips_watchlist(config: SmokeConfig) -> None:
    checks = by_id(build_checks(config, "nologin", environ={}, today=TODAY))
    assert checks["enwiki/watchlist/plain"].skip_reason == (
        "no login configured for enwiki; Watchlist needs a logged-in user"
    )
    assert checks["enwiki/recentchanges/plain"].skip_reason is None


def test_no_contributions_user_skips_contributions(config: SmokeConfig) -> None:
    checks = by_id(build_checks(config, "nologin", environ={}, today=TODAY))
    reason = checks["enwiki/contributions/plain"].skip_reason
    assert reason is not None and reason.startswith("no contributions_user for enwiki")
    assert checks["enwiki/contributions/plain"].url.endswith("?title=Special:Contributions")


def test_testbed_watchlist_needs_login_without_env(config: SmokeConfig) -> None:
    check = by_id(local(config, environ={}))["enwiki/watchlist/plain"]
    assert check.needs_login is True
    assert check.skip_reason is None


# --- testbed base URLs ----------------------------------------------------------------------


def test_wiki_missing_from_testbed(config: SmokeConfig, config_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        build_checks(config, "local", base_urls={"enwiki": "http://x"}, today=TODAY)
    assert str(info.value).startswith(
        f"{config_path}:11: targets.local.wikis[1].id: wiki 'arwiki' is not in the testbed farm"
    )


def test_testbed_without_base_urls(config: SmokeConfig) -> None:
    with pytest.raises(ConfigError, match="testbed"):
        build_checks(config, "local", today=TODAY)


def test_testbed_selection_needs_only_selected_urls(config: SmokeConfig) -> None:
    checks = build_checks(
        config,
        "local",
        base_urls={"enwiki": "http://x"},
        selection=Selection(wikis=("enwiki",)),
        today=TODAY,
    )
    assert {c.wiki for c in checks} == {"enwiki"}


def test_lang_missing_for_config_built_in_code() -> None:
    # The loader rejects this already; expand still guards configs built without a file.
    valid = SmokeConfig.model_validate(
        {"targets": {"t": {"url": "https://{id}.x.org", "wikis": [{"id": "a", "ores": []}]}}}
    )
    target = valid.targets["t"].model_copy(update={"url": "https://{lang}.x.org"})
    config = valid.model_copy(update={"targets": {"t": target}})
    with pytest.raises(ConfigError) as info:
        build_checks(config, "t", environ={}, today=TODAY)
    assert str(info.value).startswith("targets.t.wikis[0]: wiki 'a' needs a lang")


# --- building checks in bulk ----------------------------------------------------------------


def test_bulk_constructors_match_the_classes() -> None:
    # new_check/new_expectation set slots directly; they must stay in step with the dataclasses.
    for protocol, cls in ((NewCheck, Check), (NewExpectation, Expectation)):
        params = list(inspect.signature(protocol.__call__).parameters)[1:]
        assert params == [f.name for f in dataclasses.fields(cls)], cls.__name__
    values: dict[str, Any] = {
        "page": Page.WATCHLIST,
        "expected_models": frozenset({"damaging"}),
        "expected_levels": {"damaging": frozenset({"likelybad"})},
        "requested_filters": {"damaging": ("likelybad",)},
        "allowlist": (),
        "origin": "http://x",
        "budgets": {"load_ms": 5.0},
        "last_seen_levels": {"damaging": frozenset({"maybebad"})},
        "last_seen_run": "run-1",
        "reports_drift": True,
        "last_seen_scored": True,
        "scoring_grace_s": 60.0,
    }
    expectation = new_expectation(**values)
    assert expectation == Expectation(**values)
    check: dict[str, Any] = {
        "id": "w/watchlist/v",
        "target": "t",
        "wiki": "w",
        "page": Page.WATCHLIST,
        "variant": "v",
        "url": "http://x/index.php",
        "expectation": expectation,
        "needs_login": True,
        "skip_reason": None,
    }
    made = new_check(**check)
    assert made == Check(**check) and type(made) is Check
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.url = "http://elsewhere"  # type: ignore[misc]


def test_expanded_checks_are_frozen(config: SmokeConfig) -> None:
    check = local(config)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.skip_reason = "no"  # type: ignore[misc]
