"""An expanded target's selection, login variables and per-wiki settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from smoke.config import (
    ConfigError,
    LoginEnv,
    Selection,
    Timeouts,
    build_checks,
    error_at,
    load_config,
    login_for,
    target_names,
    timeouts_for,
    wiki_ids,
)
from smoke.config.schema import SmokeConfig
from smoke.model.checks import Page
from tests.unit.config_files import ENV, TARGETS, TODAY, local


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "wikis.yaml"
    path.write_text(TARGETS, encoding="utf-8")
    return path


@pytest.fixture
def config(config_path: Path) -> SmokeConfig:
    return load_config(config_path)


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


def test_unknown_wiki_among_many_lists_a_few(tmp_path: Path) -> None:
    wikis = "".join(f"      - {{id: w{i}, ores: []}}\n" for i in range(40))
    path = tmp_path / "wikis.yaml"
    path.write_text(f"targets:\n  local:\n    testbed: true\n    wikis:\n{wikis}", "utf-8")
    config = load_config(path)
    with pytest.raises(ConfigError) as info:
        build_checks(config, "local", base_urls={}, selection=Selection(wikis=("x1",)))
    message = str(info.value)
    assert message.startswith("unknown wiki 'x1'")
    assert "w0, w1," in message and "w29, ... (40 in all)" in message and "w30" not in message
