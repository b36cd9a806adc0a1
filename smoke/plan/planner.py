"""Everything a run needs, resolved once from wikis.yaml and the options, before any browser.

Used by the pytest plugin (collection), ``smoke list`` and ``smoke validate`` alike, so the three
can never disagree about which checks exist.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from smoke.config import (
    ConfigError,
    Selection,
    SmokeConfig,
    build_checks,
    expired_allowlist,
    load_config,
    login_for,
    timeouts_for,
)
from smoke.judge.detectors import ALL_DETECTORS
from smoke.judge.known_issues import KnownIssue
from smoke.model.checks import AllowEntry, Check
from smoke.model.credentials import Credentials
from smoke.model.values import DEFAULT_GIVE_UP_AFTER
from smoke.model.wikimedia import smoke_agent
from smoke.plan.capture_settings import CaptureSettings
from smoke.plan.drift import last_seen, with_drift
from smoke.plan.safety import Refused, Resolve, hosts_of, refuse_production
from smoke.plan.shard import last_durations, shard_meta, shard_of
from smoke.plan.workers import served_here
from smoke.testbed.state import NoFarm, load_state


@dataclass(frozen=True)
class PlanOptions:
    config_path: Path
    target: str = "local"
    wikis: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    testbed_dir: Path | None = None
    navigation_timeout: float | None = None  # overrides wikis.yaml when given
    ready_timeout: float | None = None
    detectors: tuple[str, ...] = ()  # empty: those enabled in wikis.yaml (default all)
    retries: int | None = None  # overrides wikis.yaml's `retries` when given
    max_per_host: int | None = None  # overrides wikis.yaml's `max_per_host` when given
    allow_production: bool = False
    shard: tuple[int, int] | None = None  # (k, n): run only the k-th of n shards
    # Durations (s) balancing the shards; None: read the last runs under reports_dir.
    shard_durations: Mapping[str, float] | None = None
    reports_dir: Path = Path("reports")
    # Compare ORES levels with the last earlier run of the target (plan/drift.py).
    drift: bool = True
    # Every check loads its URL (--full-loads); else plan/loading.py says which may go in-app.
    full_loads: bool = False


@dataclass
class Plan:
    options: PlanOptions
    config: SmokeConfig
    checks: list[Check]
    enabled_detectors: tuple[str, ...]
    expired_allowlist: list[AllowEntry] = field(default_factory=list)
    shard_meta: dict[str, Any] | None = None  # run.shard in results.json when sharded
    _testbed_credentials: dict[str, Credentials] = field(default_factory=dict, repr=False)
    _secrets: tuple[str, ...] | None = field(default=None, repr=False)
    _known_issues: list[KnownIssue] | None = field(default=None, repr=False)
    # Consecutive timeouts (per page) or unreachable results (per host) before giving up on it.
    give_up_after: int = DEFAULT_GIVE_UP_AFTER
    # time.time() after which nothing is loaded (--deadline); page loads in flight are cut there.
    deadline_at: float | None = None
    # The host names the checks load (safety.hosts_of), found once for the whole plan.
    hosts: frozenset[str] = frozenset()

    @property
    def target(self) -> str:
        return self.options.target

    @property
    def testbed(self) -> bool:
        return self.config.target(self.target).testbed

    def served_here(self, resolves: Sequence[str] = ()) -> bool:
        """Every wiki on loopback after ``--resolve`` (the farm among them): the target's server
        shares this machine's cores, so ``--workers auto`` counts it as local."""
        return served_here(self.hosts, [Resolve.parse(r) for r in resolves])

    def capture_settings(self, wiki: str) -> CaptureSettings:
        timeouts = timeouts_for(self.config, self.target, wiki)
        navigation = self.options.navigation_timeout or timeouts.navigation
        ready = self.options.ready_timeout or timeouts.ready
        if self.deadline_at is not None:
            # A load in flight at the deadline is cut there (at least 1 s: a timeout of 0
            # would mean "wait forever" to Playwright).
            left = max(1.0, self.deadline_at - time.time())
            navigation, ready = min(navigation, left), min(ready, left)
        return CaptureSettings(
            navigation_timeout_s=navigation,
            ready_timeout_s=ready,
            in_app=not self.options.full_loads,
        )

    def credentials(self, wiki: str, environ: Mapping[str, str] | None = None) -> Credentials:
        """The login of ``wiki``: from the testbed state, or from the variables wikis.yaml names."""
        if self.testbed:
            return self._testbed_credentials[wiki]
        env = os.environ if environ is None else environ
        names = login_for(self.config, self.target, wiki)
        if names is None:  # build_checks skips Watchlist checks in that case
            raise ConfigError(f"no login configured for {wiki} in target {self.target!r}")
        return Credentials(env[names.username_env], env[names.password_env])

    @property
    def max_per_host(self) -> int:
        if self.options.max_per_host is not None:
            return self.options.max_per_host
        return self.config.max_per_host

    @property
    def retries(self) -> int:
        return self.options.retries if self.options.retries is not None else self.config.retries

    def known_issues(self) -> list[KnownIssue]:
        if self._known_issues is None:  # once per run, not per check
            self._known_issues = [KnownIssue(**e.model_dump()) for e in self.config.known_issues]
        return self._known_issues

    def secrets(self) -> tuple[str, ...]:
        """Every password this run knows, so writers can scrub them from what they write."""
        if self._secrets is None:
            self._secrets = self._collect_secrets()
        return self._secrets

    def _collect_secrets(self) -> tuple[str, ...]:
        known = [c.password for c in self._testbed_credentials.values()]
        if not self.testbed:
            for check in self.checks:
                names = login_for(self.config, self.target, check.wiki)
                if names is not None and names.password_env in os.environ:
                    known.append(os.environ[names.password_env])
        return tuple(sorted(set(known)))

    def user_agent(self, browser_version: str) -> str:
        return (
            f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{browser_version} Safari/537.36 {smoke_agent(self.config.contact)}"
        )

    def notes(self) -> list[str]:
        return [
            f"allowlist entry {e.pattern!r} ({e.task or e.reason}) expired on {e.expires}; "
            "it no longer suppresses anything — fix the noise or extend the entry"
            for e in self.expired_allowlist
        ]


def make_plan(
    options: PlanOptions, *, environ: Mapping[str, str] | None = None, today: date | None = None
) -> Plan:
    """Load and resolve; raises ConfigError (bad config/selection) with file, line and field."""
    config = load_config(options.config_path)
    today = today or date.today()
    target = config.target(options.target)  # ConfigError with a suggestion for unknown targets
    base_urls: dict[str, str] | None = None
    credentials: dict[str, Credentials] = {}
    if target.testbed:
        try:
            state = load_state(options.testbed_dir)
        except NoFarm as exc:
            raise ConfigError(
                f"target {options.target!r} is the local testbed, but {exc}"
            ) from None
        base_urls = {wiki_id: wiki.url for wiki_id, wiki in state.wikis.items()}
        for wiki_id, wiki in state.wikis.items():
            try:
                credentials[wiki_id] = Credentials(wiki.account, wiki.password())
            except OSError:
                pass  # reported as a login failure for the checks that need it
    checks = build_checks(
        config,
        options.target,
        base_urls=base_urls,
        environ=environ,
        selection=Selection(options.wikis, options.pages, options.variants),
        today=today,
    )
    if options.drift:
        checks = with_drift(checks, *last_seen(options.reports_dir, options.target))
    shard_info: dict[str, Any] | None = None
    if options.shard is not None:
        checks, shard_info = _shard(checks, options)
    hosts = hosts_of(c.url for c in checks)
    if not options.allow_production:
        try:
            refuse_production(hosts)
        except Refused as exc:
            raise ConfigError(str(exc)) from None
    return Plan(
        options=options,
        config=config,
        checks=checks,
        enabled_detectors=_enabled_detectors(config, options.detectors),
        expired_allowlist=expired_allowlist(config, today),
        shard_meta=shard_info,
        _testbed_credentials=credentials,
        give_up_after=config.give_up_after,
        hosts=hosts,
    )


def _shard(checks: list[Check], options: PlanOptions) -> tuple[list[Check], dict[str, Any]]:
    """The k-th of n deterministic shards, balanced by recorded durations (skips weigh 0)."""
    assert options.shard is not None
    k, n = options.shard
    durations = dict(
        options.shard_durations
        if options.shard_durations is not None
        else last_durations(options.reports_dir)
    )
    durations.update({c.id: 0.0 for c in checks if c.skip_reason})
    ids = [c.id for c in checks]
    mine = set(shard_of(ids, k, n, durations))
    return [c for c in checks if c.id in mine], shard_meta(ids, k, n, durations)


def _enabled_detectors(config: SmokeConfig, requested: Sequence[str]) -> tuple[str, ...]:
    known = tuple(ALL_DETECTORS)
    for name in list(requested) + list(config.detectors):
        if name not in known:
            raise ConfigError(
                f"unknown detector {name!r}; known detectors: {', '.join(known)}", field="detectors"
            )
    if requested:
        return tuple(n for n in known if n in requested)
    return tuple(n for n in known if config.detectors.get(n) is None or config.detectors[n].enabled)
