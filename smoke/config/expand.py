"""Config + target (+ selection) -> the list of fully resolved checks.

Everything a check needs is decided here, before any browser starts: URL, expectations, whether
it needs a login, and whether it must be *skipped* (and why). Skipped checks are returned, not
dropped, so a report shows "ruwiki has no ORES goodfaith" instead of silently testing less.
"""

from __future__ import annotations

import os
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from urllib.parse import quote, urlencode, urlsplit

from smoke.config.errors import ConfigError, FieldPath, did_you_mean, error_at, one_of
from smoke.config.schema import AllowEntryModel, LoginModel, SmokeConfig, TargetModel, WikiModel
from smoke.config.variants import Variant
from smoke.model.checks import AllowEntry, Check, Expectation, Page

_TITLES = {
    Page.RECENTCHANGES: "Special:RecentChanges",
    Page.WATCHLIST: "Special:Watchlist",
    Page.CONTRIBUTIONS: "Special:Contributions",
}
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Selection:
    """fnmatch-style patterns (``ru*``, ``damaging=*``); an empty tuple selects everything."""

    wikis: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Timeouts:
    """Seconds: to load the page, then for the page to become ready (e.g. the filters UI)."""

    navigation: float
    ready: float


DEFAULT_TIMEOUTS = Timeouts(navigation=30.0, ready=15.0)


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
    login = _login_model(target_model, target_model.wiki(wiki_id))
    return None if login is None else LoginEnv(login.username_env, login.password_env)


def active_allowlist(config: SmokeConfig, today: date) -> tuple[AllowEntry, ...]:
    return tuple(entry for entry in _allow_entries(config.allowlist) if not entry.expired(today))


def expired_allowlist(config: SmokeConfig, today: date) -> list[AllowEntry]:
    """Entries past their ``expires`` day: no longer applied, to be reported so someone acts."""
    return [entry for entry in _allow_entries(config.allowlist) if entry.expired(today)]


def page_url(base: str, page: Page, params: Mapping[str, str], user: str | None = None) -> str:
    """``<base>/index.php?title=Special:…&<params>``; ';' stays literal in multi-value params."""
    title = _TITLES[page]
    if page is Page.CONTRIBUTIONS and user:
        title += "/" + quote(user.replace(" ", "_"), safe="")
    query = f"title={title}"
    if params:
        query += "&" + urlencode(dict(params), safe=";")
    return f"{base.rstrip('/')}/index.php?{query}"


# --- expansion ------------------------------------------------------------------------------


def build_checks(
    config: SmokeConfig,
    target_name: str,
    *,
    base_urls: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    selection: Selection | None = None,
    today: date | None = None,
) -> list[Check]:
    """Every check of ``target_name`` (narrowed by ``selection``), in wiki, page, variant order.

    ``base_urls`` maps wiki id -> base URL for testbed targets; ``environ`` is searched for the
    login variables of other targets (default: os.environ).
    """
    target = config.target(target_name)
    selection = selection or Selection()
    environ = os.environ if environ is None else environ
    allowlist = active_allowlist(config, today or date.today())
    wikis = _select_wikis(target_name, target, selection.wikis)
    pages = _select_pages(selection.pages)
    variants = _select_variants(config.variant_matrix(), selection.variants)

    checks: list[Check] = []
    for wiki in wikis:
        wanted = [
            (page, variant)
            for page in wiki.selected_pages()
            if page in pages
            for variant in variants
            if variant.applies_to(page)
        ]
        if not wanted:
            continue
        base = _base_url(config, target_name, target, wiki, base_urls)
        made = [
            _check(target_name, target, wiki, p, v, base, allowlist, _budgets(config, p))
            for p, v in wanted
        ]
        # Only a Watchlist check that will really run needs the credentials to exist.
        if any(c.page is Page.WATCHLIST and c.skip_reason is None for c in made):
            _require_login_env(config, target_name, target, wiki, environ)
        checks += made
    if not checks:
        raise ConfigError(
            f"selection matches no check of target {target_name!r}{_describe(selection)}"
        )
    return checks


def _budgets(config: SmokeConfig, page: Page) -> dict[str, float]:
    model = config.budgets.get(page.value)
    if model is None:
        return {}
    return {k: v for k, v in model.model_dump().items() if v is not None}


def _check(
    target_name: str,
    target: TargetModel,
    wiki: WikiModel,
    page: Page,
    variant: Variant,
    base: str,
    allowlist: tuple[AllowEntry, ...],
    budgets: Mapping[str, float],
) -> Check:
    user = wiki.contributions_user or target.contributions_user
    parts = urlsplit(base)
    return Check(
        id=f"{wiki.id}/{page.value}/{variant.name}",
        target=target_name,
        wiki=wiki.id,
        page=page,
        variant=variant.name,
        url=page_url(base, page, variant.params, user),
        expectation=Expectation(
            page=page,
            expected_models=frozenset(wiki.ores),
            requested_filters=dict(variant.requested_filters),
            allowlist=allowlist,
            origin=f"{parts.scheme}://{parts.netloc}",
            budgets=budgets,
        ),
        needs_login=page is Page.WATCHLIST,
        skip_reason=_skip_reason(target, wiki, page, variant, user),
    )


def _skip_reason(
    target: TargetModel, wiki: WikiModel, page: Page, variant: Variant, user: str | None
) -> str | None:
    if variant.name in wiki.skip_variants:
        return f"variant {variant.name!r} is in skip_variants of {wiki.id} in wikis.yaml"
    missing = sorted(variant.required_models - set(wiki.ores))
    if missing:
        return (
            f"{wiki.id} has no ORES {' or '.join(missing)} (ores: [{', '.join(wiki.ores)}] in "
            "wikis.yaml); ORES variant not applicable"
        )
    if page is Page.CONTRIBUTIONS and user is None:
        return (
            f"no contributions_user for {wiki.id} in wikis.yaml; "
            "Special:Contributions needs a user to show"
        )
    if page is Page.WATCHLIST and not target.testbed and _login_model(target, wiki) is None:
        return f"no login configured for {wiki.id}; Watchlist needs a logged-in user"
    return None


def _base_url(
    config: SmokeConfig,
    target_name: str,
    target: TargetModel,
    wiki: WikiModel,
    base_urls: Mapping[str, str] | None,
) -> str:
    wiki_path: FieldPath = ("targets", target_name, "wikis", target.wiki_index(wiki.id))
    if target.testbed:
        if base_urls is None:
            raise error_at(
                config.source,
                ("targets", target_name, "testbed"),
                f"target {target_name!r} is the testbed farm; its URLs come from the testbed "
                "state (is the testbed running?)",
            )
        if wiki.id not in base_urls:
            raise error_at(
                config.source,
                (*wiki_path, "id"),
                f"wiki {wiki.id!r} is not in the testbed farm "
                f"(farm wikis: {one_of(sorted(base_urls)) or 'none'})",
            )
        return base_urls[wiki.id].rstrip("/")
    template = wiki.url or target.url
    if template is None:  # the schema rejects this; kept for configs built in code
        raise error_at(config.source, wiki_path, f"wiki {wiki.id!r} has no URL")
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if "lang" in fields and wiki.lang is None:
        raise error_at(
            config.source,
            wiki_path,
            f"wiki {wiki.id!r} needs a lang: the url template {template!r} uses {{lang}}",
        )
    return template.format(id=wiki.id, lang=wiki.lang or "").rstrip("/")


def _require_login_env(
    config: SmokeConfig,
    target_name: str,
    target: TargetModel,
    wiki: WikiModel,
    environ: Mapping[str, str],
) -> None:
    """A configured login whose variables are unset is an error, not a reason to skip."""
    if target.testbed:
        return
    login = _login_model(target, wiki)
    if login is None:
        return
    if wiki.login is not None:
        where: FieldPath = ("targets", target_name, "wikis", target.wiki_index(wiki.id), "login")
    else:
        where = ("targets", target_name, "login")
    missing = [
        (key, name)
        for key, name in (
            ("username_env", login.username_env),
            ("password_env", login.password_env),
        )
        if not environ.get(name)
    ]
    if missing:
        names = " and ".join(name for _, name in missing)
        one = len(missing) == 1
        raise error_at(
            config.source,
            (*where, missing[0][0]),
            f"environment variable{'' if one else 's'} {names} {'is' if one else 'are'} not set "
            f"(or empty); the Watchlist checks of {wiki.id} need {'it' if one else 'them'} "
            "to log in",
        )


def _login_model(target: TargetModel, wiki: WikiModel) -> LoginModel | None:
    if target.testbed:
        return None
    return wiki.login or target.login


def _allow_entries(models: Iterable[AllowEntryModel]) -> list[AllowEntry]:
    return [AllowEntry(m.pattern, m.reason, task=m.task, expires=m.expires) for m in models]


# --- selection ------------------------------------------------------------------------------


def _is_glob(pattern: str) -> bool:
    return any(char in _GLOB_CHARS for char in pattern)


def _matching(patterns: Sequence[str], names: Sequence[str], what: str, scope: str) -> set[str]:
    """Names matched by any pattern. An exact name that matches nothing is a typo: say so."""
    if not patterns:
        return set(names)
    chosen: set[str] = set()
    for pattern in patterns:
        hits = {name for name in names if fnmatchcase(name, pattern)}
        if not hits and not _is_glob(pattern):
            raise ConfigError(
                f"unknown {what} {pattern!r}{did_you_mean(pattern, names)}; "
                f"{what}s {scope}: {one_of(names)}"
            )
        chosen |= hits
    return chosen


def _select_wikis(
    target_name: str, target: TargetModel, patterns: Sequence[str]
) -> list[WikiModel]:
    ids = [wiki.id for wiki in target.wikis]
    chosen = _matching(patterns, ids, "wiki", f"of target {target_name!r}")
    return [wiki for wiki in target.wikis if wiki.id in chosen]


def _select_pages(patterns: Sequence[str]) -> set[Page]:
    names = [page.value for page in Page]
    chosen: set[str] = set()
    for pattern in (p.lower() for p in patterns) if patterns else ("*",):
        hits = {name for name in names if fnmatchcase(name, pattern)}
        if not hits:
            raise ConfigError(
                f"unknown page {pattern!r}{did_you_mean(pattern, names)}; "
                f"valid pages: {one_of(names)}"
            )
        chosen |= hits
    return {Page(name) for name in chosen}


def _select_variants(matrix: Sequence[Variant], patterns: Sequence[str]) -> list[Variant]:
    names = [variant.name for variant in matrix]
    chosen = _matching(patterns, names, "variant", "in the matrix")
    return [variant for variant in matrix if variant.name in chosen]


def _describe(selection: Selection) -> str:
    parts = [
        f"{label} {', '.join(patterns)}"
        for label, patterns in (
            ("wikis", selection.wikis),
            ("pages", selection.pages),
            ("variants", selection.variants),
        )
        if patterns
    ]
    return f" ({'; '.join(parts)})" if parts else ""
