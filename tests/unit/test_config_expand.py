"""Expansion of a target into checks: ids, URLs, expectations, skip reasons, selection."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from smoke.config import (
    ConfigError,
    LoginEnv,
    Selection,
    Timeouts,
    build_checks,
    error_at,
    expired_allowlist,
    load_config,
    login_for,
    page_url,
    target_names,
    timeouts_for,
    wiki_ids,
)
from smoke.config.schema import SmokeConfig
from smoke.model.checks import Check, Page

CONFIG = """\
timeouts: {navigation: 20}
allowlist:
  - {pattern: 'favicon\\.ico', reason: no favicon}
  - {pattern: 'old noise', reason: fixed soon, task: T1, expires: 2026-01-31}
targets:
  local:
    testbed: true
    contributions_user: Alice
    wikis:
      - {id: enwiki, ores: [damaging, goodfaith]}
      - {id: arwiki, ores: [damaging], contributions_user: Bob Smith}
      - {id: nooreswiki, ores: []}
  beta:
    url: "https://{lang}.wikipedia.beta.wmcloud.org/w/"
    login: {username_env: SMOKE_BETA_USERNAME, password_env: SMOKE_BETA_PASSWORD}
    timeouts: {ready: 25}
    wikis:
      - {id: enwiki, lang: en, ores: [damaging, goodfaith], contributions_user: Ed}
      - id: wikidatawiki
        url: "https://wikidata.beta.wmcloud.org/w"
        ores: [damaging, goodfaith]
        timeouts: {navigation: 90}
        login: {username_env: WD_USER, password_env: WD_PASS}
        skip_variants: [highlight]
        pages: [recentchanges, watchlist]
  nologin:
    url: "http://{id}.staging.example.org"
    wikis:
      - {id: enwiki, ores: [damaging]}
"""
BASE_URLS = {
    "enwiki": "http://127.0.0.1:8401",
    "arwiki": "http://127.0.0.1:8402/",
    "nooreswiki": "http://127.0.0.1:8403",
}
ENV = {"SMOKE_BETA_USERNAME": "bot", "SMOKE_BETA_PASSWORD": "pw", "WD_USER": "u", "WD_PASS": "p"}
TODAY = date(2026, 1, 15)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "wikis.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def config(config_path: Path) -> SmokeConfig:
    return load_config(config_path)


def local(
    config: SmokeConfig,
    *,
    selection: Selection | None = None,
    environ: dict[str, str] | None = None,
) -> list[Check]:
    return build_checks(
        config, "local", base_urls=BASE_URLS, environ=environ, selection=selection, today=TODAY
    )


def by_id(checks: list[Check]) -> dict[str, Check]:
    return {check.id: check for check in checks}


# --- counts, ids, order ---------------------------------------------------------------------


def test_local_counts(config: SmokeConfig) -> None:
    checks = local(config)
    # 13 RC + 13 WL + 2 Contributions per wiki.
    assert len(checks) == 3 * 28
    assert len({c.id for c in checks}) == len(checks)
    skipped = [c for c in checks if c.skip_reason]
    # arwiki: 4 goodfaith levels + damaging+goodfaith, on RC and WL; nooreswiki: every ORES variant.
    assert len(skipped) == 10 + 25


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
    assert checks["enwiki/recentchanges/damaging+goodfaith"].url == (
        "http://127.0.0.1:8401/index.php?title=Special:RecentChanges"
        "&damaging=likelybad;verylikelybad&goodfaith=likelybad;verylikelybad"
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
    assert expectation.requested_filters == {
        "damaging": ("likelybad", "verylikelybad"),
        "goodfaith": ("likelybad", "verylikelybad"),
    }
    assert expectation.origin == "http://127.0.0.1:8401"
    assert check.needs_login is True
    assert check.skip_reason is None


def test_non_ores_wiki_expects_no_models(config: SmokeConfig) -> None:
    check = by_id(local(config))["nooreswiki/recentchanges/plain"]
    assert check.expectation.expected_models == frozenset()
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


# --- login and environment ------------------------------------------------------------------


def test_missing_env_var_names_variable_and_place(config: SmokeConfig, config_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if k != "SMOKE_BETA_PASSWORD"}
    with pytest.raises(ConfigError) as info:
        build_checks(config, "beta", environ=env, today=TODAY)
    assert str(info.value) == (
        f"{config_path}:15: targets.beta.login.password_env: environment variable "
        "SMOKE_BETA_PASSWORD is not set (or empty); the Watchlist checks of enwiki need it "
        "to log in"
    )


def test_missing_env_var_of_a_wiki_login(config: SmokeConfig, config_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if not k.startswith("WD_")}
    with pytest.raises(ConfigError) as info:
        build_checks(config, "beta", environ=env, today=TODAY)
    assert str(info.value).startswith(
        f"{config_path}:23: targets.beta.wikis[1].login.username_env: environment variables "
        "WD_USER and WD_PASS are not set"
    )


def test_empty_env_var_counts_as_missing(config: SmokeConfig) -> None:
    with pytest.raises(ConfigError, match="SMOKE_BETA_USERNAME"):
        build_checks(config, "beta", environ={**ENV, "SMOKE_BETA_USERNAME": ""}, today=TODAY)


def test_env_not_needed_without_watchlist(config: SmokeConfig) -> None:
    checks = build_checks(
        config, "beta", environ={}, selection=Selection(pages=("recentchanges",)), today=TODAY
    )
    assert checks and all(c.page is Page.RECENTCHANGES for c in checks)


def test_login_for(config: SmokeConfig) -> None:
    assert login_for(config, "beta", "enwiki") == LoginEnv(
        "SMOKE_BETA_USERNAME", "SMOKE_BETA_PASSWORD"
    )
    assert login_for(config, "beta", "wikidatawiki") == LoginEnv("WD_USER", "WD_PASS")
    assert login_for(config, "local", "enwiki") is None
    assert login_for(config, "nologin", "enwiki") is None


def test_timeouts_for(config: SmokeConfig) -> None:
    assert timeouts_for(config, "local", "enwiki") == Timeouts(navigation=20, ready=15)
    assert timeouts_for(config, "beta", "enwiki") == Timeouts(navigation=20, ready=25)
    assert timeouts_for(config, "beta", "wikidatawiki") == Timeouts(navigation=90, ready=25)


def test_small_lookups(config: SmokeConfig) -> None:
    assert target_names(config) == ("local", "beta", "nologin")
    assert wiki_ids(config, "local") == ("enwiki", "arwiki", "nooreswiki")


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


# --- targets and selection ------------------------------------------------------------------


def test_unknown_target_suggests(config: SmokeConfig) -> None:
    with pytest.raises(ConfigError) as info:
        build_checks(config, "betta", environ=ENV)
    assert "unknown target 'betta' (did you mean 'beta'?)" in str(info.value)
    assert "local, beta, nologin" in str(info.value)


def test_select_by_glob(config: SmokeConfig) -> None:
    checks = local(config, selection=Selection(wikis=("*wiki",), variants=("damaging=*",)))
    assert {c.variant for c in checks} == {
        "damaging=likelygood",
        "damaging=maybebad",
        "damaging=likelybad",
        "damaging=verylikelybad",
    }
    assert len(checks) == 3 * 2 * 4


def test_select_pages_and_variant(config: SmokeConfig) -> None:
    checks = local(
        config,
        selection=Selection(wikis=("enwiki",), pages=("contributions",), variants=("plain",)),
    )
    assert [c.id for c in checks] == ["enwiki/contributions/plain"]


def test_select_page_case_insensitive(config: SmokeConfig) -> None:
    checks = local(config, selection=Selection(wikis=("enwiki",), pages=("Watchlist",)))
    assert {c.page for c in checks} == {Page.WATCHLIST}


def test_selection_keeps_skipped_checks(config: SmokeConfig) -> None:
    checks = local(config, selection=Selection(wikis=("nooreswiki",), variants=("highlight",)))
    assert len(checks) == 2 and all(c.skip_reason for c in checks)


def test_unknown_wiki_in_selection(config: SmokeConfig) -> None:
    with pytest.raises(ConfigError) as info:
        local(config, selection=Selection(wikis=("enwik",)))
    assert str(info.value) == (
        "unknown wiki 'enwik' (did you mean 'enwiki'?); wikis of target 'local': "
        "enwiki, arwiki, nooreswiki"
    )


def test_unknown_variant_in_selection(config: SmokeConfig) -> None:
    with pytest.raises(ConfigError, match=r"unknown variant 'hidenondamging' \(did you mean"):
        local(config, selection=Selection(variants=("hidenondamging",)))


def test_unknown_page_in_selection(config: SmokeConfig) -> None:
    with pytest.raises(ConfigError) as info:
        local(config, selection=Selection(pages=("recentchange",)))
    assert "unknown page 'recentchange' (did you mean 'recentchanges'?)" in str(info.value)
    assert "valid pages: recentchanges, watchlist, contributions" in str(info.value)


def test_glob_matching_nothing_is_not_a_typo_error(config: SmokeConfig) -> None:
    checks = local(config, selection=Selection(wikis=("en*", "zz*")))
    assert {c.wiki for c in checks} == {"enwiki"}


def test_empty_selection(config: SmokeConfig) -> None:
    with pytest.raises(ConfigError) as info:
        local(config, selection=Selection(pages=("contributions",), variants=("highlight",)))
    assert str(info.value).startswith("selection matches no check of target 'local'")
    assert "pages contributions" in str(info.value)


def test_error_at_points_into_the_file(config: SmokeConfig, config_path: Path) -> None:
    # For callers validating things the loader cannot know (e.g. detector names).
    err = error_at(config.source, ("targets", "beta", "wikis", 1), "example")
    assert str(err) == f"{config_path}:19: targets.beta.wikis[1]: example"
