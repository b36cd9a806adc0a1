"""Which checks a scenario runs, read from wikis.yaml through ``smoke.config`` like smoke does.

The checks (URLs included) come from ``build_checks`` with the farm's URLs, so the baselines
load exactly what ``smoke run`` loads; the timeouts come from ``timeouts_for`` per wiki.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.env import SetupError
from bench.spec import LoadCheck
from smoke.config import (
    ConfigError,
    Selection,
    SmokeConfig,
    build_checks,
    load_config,
    timeouts_for,
)
from smoke.model.checks import Check, Page

TARGET = "local"  # the bench measures the local farm only

# The baselines' default: anonymous pages only (Watchlist needs a login, which the baselines
# would have to do too; see README). 3 wikis x (8 RC variants + 2 Contributions variants) = 30,
# plus goodfaith=likelybad on RC = 33, less frwiki's damaging=maybebad (a level frwiki does not
# offer: skipped) = 32 checks.
DEFAULT_WIKIS = ("enwiki", "ruwiki", "frwiki")
DEFAULT_PAGES = ("recentchanges", "contributions")
DEFAULT_VARIANTS = (
    "plain",
    "damaging=*",
    "goodfaith=likelybad",
    "damaging+goodfaith",
    "highlight",
    "hidenondamaging",
)


@dataclass(frozen=True)
class Patterns:
    """``--wiki/--page/--variant`` as given (empty: the scenario's default)."""

    wikis: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()

    def or_else(self, default: Patterns) -> Patterns:
        """Each of the three lists that was not given comes from ``default``."""
        return Patterns(
            self.wikis or default.wikis,
            self.pages or default.pages,
            self.variants or default.variants,
        )

    def smoke_args(self) -> list[str]:
        """The same selection as `smoke run` arguments."""
        argv: list[str] = []
        for flag, values in (
            ("--wiki", self.wikis),
            ("--page", self.pages),
            ("--variant", self.variants),
        ):
            for value in values:
                argv += [flag, value]
        return argv


BASELINE_DEFAULT = Patterns(DEFAULT_WIKIS, DEFAULT_PAGES, DEFAULT_VARIANTS)


def read_config(path: Path) -> SmokeConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise SetupError(f"bench: {exc}") from None


def runnable_checks(
    config: SmokeConfig, patterns: Patterns, base_urls: dict[str, str]
) -> list[Check]:
    """The selected checks that will run (skipped ones left out); SetupError when none."""
    try:
        checks = build_checks(
            config,
            TARGET,
            base_urls=base_urls,
            selection=Selection(patterns.wikis, patterns.pages, patterns.variants),
        )
    except ConfigError as exc:
        raise SetupError(f"bench: {exc}") from None
    runnable = [c for c in checks if c.skip_reason is None]
    if not runnable:
        raise SetupError("bench: the selection has no runnable checks")
    return runnable


def load_checks(config: SmokeConfig, checks: list[Check]) -> list[LoadCheck]:
    """What the baselines load: anonymous pages only, with each wiki's timeouts."""
    if any(c.page is Page.WATCHLIST for c in checks):
        raise SetupError(
            "bench: Watchlist checks need a login, which the baselines do not do; select "
            "anonymous pages only (see README)"
        )
    out: list[LoadCheck] = []
    for c in checks:
        timeouts = timeouts_for(config, TARGET, c.wiki)
        out.append(
            {
                "id": c.id,
                "url": c.url,
                "filters": c.page is Page.RECENTCHANGES,
                "nav_ms": int(timeouts.navigation * 1000),
                "ready_ms": int(timeouts.ready * 1000),
            }
        )
    return out


def warmup_checks(checks: list[LoadCheck]) -> list[LoadCheck]:
    """One load per wiki and page, so that MediaWiki's caches are warm for every mode alike."""
    seen: set[tuple[str, ...]] = set()
    warm: list[LoadCheck] = []
    for c in checks:
        key = tuple(c["id"].split("/")[:2])
        if key not in seen:
            seen.add(key)
            warm.append(c)
    return warm
