"""The wikis.yaml shipped at the repository root loads and expands as documented."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from smoke.config import ConfigError, build_checks, expired_allowlist, load_config
from smoke.config.schema import SmokeConfig
from smoke.model.checks import ORES_DEFAULT_LEVELS

SHIPPED = Path(__file__).resolve().parents[2] / "wikis.yaml"
TODAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def config() -> SmokeConfig:
    return load_config(SHIPPED)


def test_targets(config: SmokeConfig) -> None:
    assert list(config.targets) == ["local", "beta", "production", "staging"]
    assert config.contact


def test_local_expansion(config: SmokeConfig) -> None:
    farm = {
        w.id: f"http://127.0.0.1:{8401 + i}" for i, w in enumerate(config.targets["local"].wikis)
    }
    checks = build_checks(config, "local", base_urls=farm, environ={}, today=TODAY)
    assert len(checks) == 4 * 28
    skipped = {c.id: c.skip_reason for c in checks if c.skip_reason}
    assert sum(c.startswith("nooreswiki/") for c in skipped) == 25
    # The farm's levels (the local farm configures them per wiki): enwiki has the extension's
    # defaults, ruwiki everything, frwiki no damaging maybebad; each missing level is skipped
    # on RecentChanges and Watchlist.
    others = {c: r for c, r in skipped.items() if not c.startswith("nooreswiki/")}
    assert others == {
        f"{wiki}/{page}/{variant}": f"{variant}: not enabled on {wiki} in wikis.yaml"
        for wiki, variant in [
            ("enwiki", "goodfaith=verylikelybad"),
            ("frwiki", "damaging=maybebad"),
            ("frwiki", "goodfaith=verylikelybad"),
        ]
        for page in ("recentchanges", "watchlist")
    }


def test_local_levels(config: SmokeConfig) -> None:
    wikis = {w.id: w.ores for w in config.targets["local"].wikis}
    all_four = ("likelygood", "maybebad", "likelybad", "verylikelybad")
    defaults = {"damaging": all_four, "goodfaith": all_four[:3]}
    assert wikis == {
        "enwiki": defaults,
        "ruwiki": {"damaging": all_four, "goodfaith": all_four},
        "frwiki": {
            "damaging": ("likelygood", "likelybad", "verylikelybad"),
            **{"goodfaith": all_four[:3]},
        },
        "nooreswiki": {},
    }


def test_beta_runs_the_extension_defaults(config: SmokeConfig) -> None:
    # Beta sets no wgOresFiltersThresholds: every wiki offers the extension.json defaults.
    wikis = {w.id: w.ores for w in config.targets["beta"].wikis}
    assert wikis["arwiki"] == {"damaging": ORES_DEFAULT_LEVELS["damaging"]}
    assert wikis["srwiki"] == {"damaging": ORES_DEFAULT_LEVELS["damaging"]}
    assert wikis["bnwiki"] == {}
    others = [ores for wiki, ores in wikis.items() if wiki not in ("arwiki", "srwiki", "bnwiki")]
    assert len(others) == 19
    assert all(ores == dict(ORES_DEFAULT_LEVELS) for ores in others)


def test_beta_needs_its_credentials(config: SmokeConfig) -> None:
    with pytest.raises(ConfigError, match="SMOKE_BETA_USERNAME and SMOKE_BETA_PASSWORD"):
        build_checks(config, "beta", environ={}, today=TODAY)


def test_beta_expansion(config: SmokeConfig) -> None:
    env = {"SMOKE_BETA_USERNAME": "u", "SMOKE_BETA_PASSWORD": "p"}
    checks = build_checks(config, "beta", environ=env, today=TODAY)
    wikis = {c.wiki for c in checks}
    assert {"enwiki", "ruwiki", "frwiki", "wikidatawiki", "arwiki", "srwiki"} <= wikis
    by_id = {c.id: c for c in checks}
    assert by_id["ruwiki/recentchanges/plain"].url.startswith(
        "https://ru.wikipedia.beta.wmcloud.org/w/index.php?"
    )
    assert by_id["srwiki/watchlist/goodfaith=likelybad"].skip_reason is not None
    assert by_id["srwiki/watchlist/damaging=likelybad"].skip_reason is None
    assert by_id["ruwiki/watchlist/goodfaith=verylikelybad"].skip_reason == (
        "goodfaith=verylikelybad: not enabled on ruwiki in wikis.yaml"
    )
    combined = by_id["ruwiki/recentchanges/damaging+goodfaith"]
    assert combined.skip_reason is None
    assert combined.url.endswith("&damaging=likelybad;verylikelybad&goodfaith=likelybad")


def test_staging_template_expands_without_credentials(config: SmokeConfig) -> None:
    checks = build_checks(config, "staging", environ={}, today=TODAY)
    assert checks[0].url.startswith("https://staging.example.org/enwiki/w/index.php?")
    assert all(c.skip_reason for c in checks if c.page.value == "watchlist")


def test_no_shipped_allowlist_entry_is_expired(config: SmokeConfig) -> None:
    assert expired_allowlist(config, TODAY) == []
