"""Per-wiki settings resolved through wikis.yaml's layers: timeouts, login, allowlist.

A wiki's value wins over its target's, the target's over the file's. Also the small lookups of
target and wiki names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from smoke.config.schema import AllowEntryModel, LoginModel, SmokeConfig, TargetModel, WikiModel
from smoke.model.checks import AllowEntry
from smoke.model.values import DEFAULT_NAVIGATION_TIMEOUT_S, DEFAULT_READY_TIMEOUT_S


@dataclass(frozen=True)
class Timeouts:
    """Seconds: to load the page, then for the page to become ready (e.g. the filters UI)."""

    navigation: float
    ready: float


DEFAULT_TIMEOUTS = Timeouts(navigation=DEFAULT_NAVIGATION_TIMEOUT_S, ready=DEFAULT_READY_TIMEOUT_S)


@dataclass(frozen=True)
class LoginEnv:
    """Names of the environment variables that hold a wiki's credentials."""

    username_env: str
    password_env: str


# --- small lookups --------------------------------------------------------------------------


def target_names(config: SmokeConfig) -> tuple[str, ...]:
    return tuple(config.targets)


def wiki_ids(config: SmokeConfig, target: str) -> tuple[str, ...]:
    return tuple(wiki.id for wiki in config.target(target).wikis)


def timeouts_for(config: SmokeConfig, target: str, wiki_id: str) -> Timeouts:
    """Per field: the wiki's value, else the target's, else the file's, else the default."""
    target_model = config.target(target)
    layers = (target_model.wiki(wiki_id).timeouts, target_model.timeouts, config.timeouts)

    def pick(name: str, default: float) -> float:
        for layer in layers:
            value = None if layer is None else getattr(layer, name)
            if value is not None:
                return float(value)
        return default

    return Timeouts(
        navigation=pick("navigation", DEFAULT_TIMEOUTS.navigation),
        ready=pick("ready", DEFAULT_TIMEOUTS.ready),
    )


def login_for(config: SmokeConfig, target: str, wiki_id: str) -> LoginEnv | None:
    """The configured login of a wiki; None for testbed targets (the caller has those)."""
    target_model = config.target(target)
    login = login_model(target_model, target_model.wiki(wiki_id))
    return None if login is None else LoginEnv(login.username_env, login.password_env)


def active_allowlist(config: SmokeConfig, today: date) -> tuple[AllowEntry, ...]:
    return tuple(entry for entry in allow_entries(config.allowlist) if not entry.expired(today))


def expired_allowlist(config: SmokeConfig, today: date) -> list[AllowEntry]:
    """Entries past their ``expires`` day: no longer applied, to be reported so someone acts."""
    return [entry for entry in allow_entries(config.allowlist) if entry.expired(today)]


def login_model(target: TargetModel, wiki: WikiModel) -> LoginModel | None:
    if target.testbed:
        return None
    return wiki.login or target.login


def allow_entries(models: Iterable[AllowEntryModel]) -> list[AllowEntry]:
    return [AllowEntry(m.pattern, m.reason, task=m.task, expires=m.expires) for m in models]
