"""Config + target (+ selection) -> the list of fully resolved checks.

Everything a check needs is decided here, before any browser starts: URL, expectations, whether
it needs a login, and whether it must be *skipped* (and why). Skipped checks are returned, not
dropped, so a report shows "arwiki has no ORES goodfaith" instead of silently testing less.
Variants are fitted to each wiki's ORES levels first (:mod:`smoke.config.ores`).

A big target expands to many checks (50,000 wikis: 1.4 million), so the work per check is kept
to building it: everything that depends only on the wiki, or only on the wiki's levels and the
variant, is computed once.
"""

from __future__ import annotations

import functools
import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from smoke.config.errors import ConfigError, FieldPath, error_at, one_of
from smoke.config.gcpause import gc_paused
from smoke.config.ores import Fitted, fit_variant, lacking_reason
from smoke.config.schema import SmokeConfig, TargetModel, WikiModel
from smoke.config.selection import Selection, select_pages, select_variants, select_wikis
from smoke.config.settings import active_allowlist, login_model
from smoke.config.variants import Variant
from smoke.model.checks import (
    DEFAULT_SCORING_GRACE_S,
    ORES_MODELS,
    AllowEntry,
    Check,
    Expectation,
    Page,
    new_check,
    new_expectation,
)

_TITLES = {
    Page.RECENTCHANGES: "Special:RecentChanges",
    Page.WATCHLIST: "Special:Watchlist",
    Page.CONTRIBUTIONS: "Special:Contributions",
}


def page_url(base: str, page: Page, params: Mapping[str, str], user: str | None = None) -> str:
    """``<base>/index.php?title=Special:…&<params>``; ';' stays literal in multi-value params."""
    title = _TITLES[page]
    if page is Page.CONTRIBUTIONS and user:
        title += "/" + quote(user.replace(" ", "_"), safe="")
    return f"{base.rstrip('/')}/index.php?title={title}{_query(params)}"


def _query(params: Mapping[str, str]) -> str:
    return "&" + urlencode(dict(params), safe=";") if params else ""


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
    shared = _Shared(
        target_name,
        target,
        active_allowlist(config, today or date.today()),
        {page: _budgets(config, page) for page in Page},
        select_pages(selection.pages),
        select_variants(config.variant_matrix(), selection.variants),
    )
    checks: list[Check] = []
    logins_set: set[int] = set()
    with gc_paused():  # many small objects, no cycles (see gcpause)
        for wiki in select_wikis(target_name, target, selection.wikis):
            wanted = shared.wanted(wiki.pages)
            if not wanted:
                continue
            base = _base_url(config, target_name, target, wiki, base_urls)
            made = _wiki_checks(shared, wiki, wanted, base)
            # Only a Watchlist check that will really run needs the credentials to exist.
            if any(c.page is Page.WATCHLIST and c.skip_reason is None for c in made):
                _require_login_env(config, target_name, target, wiki, environ, logins_set)
            checks += made
    if not checks:
        raise ConfigError(
            f"selection matches no check of target {target_name!r}{selection.describe()}"
        )
    return checks


@dataclass(frozen=True)
class _Fit:
    """A variant fitted to one set of ORES levels: what every check built from it shares."""

    fitted: Fitted
    query: str  # "&damaging=likelybad" (or ""): the URL after the page title
    missing_models: tuple[str, ...]  # models the variant needs and the wiki lacks
    filters_id: int  # equal for fits (of one level set) that request the same filters

    @property
    def skipped(self) -> bool:
        return bool(self.missing_models) or self.fitted.lacking is not None


@dataclass(frozen=True)
class _LevelSet:
    """One set of ORES levels, and everything the wikis that have it share."""

    fits: Mapping[str, _Fit]  # variant name -> fit
    skipping: tuple[Variant, ...]  # variants these levels cannot run
    models: frozenset[str]
    levels: Mapping[str, frozenset[str]]


Pairs = list[tuple[Page, list[Variant]]]  # each page with its variants, in check order


class _Shared:
    """What every wiki of one build_checks call shares, with caches keyed by what wikis repeat."""

    def __init__(
        self,
        target_name: str,
        target: TargetModel,
        allowlist: tuple[AllowEntry, ...],
        budgets: Mapping[Page, Mapping[str, float]],
        pages: set[Page],
        variants: list[Variant],
    ) -> None:
        self.target_name = target_name
        self.target = target
        self.allowlist = allowlist
        self.budgets = budgets
        self.pages = pages
        self.variants = variants
        self._wanted: dict[tuple[Page, ...] | None, Pairs] = {}
        # Wikis share a handful of level sets: fit each variant once per set, not per wiki.
        self._level_sets: dict[tuple[tuple[str, tuple[str, ...]], ...], _LevelSet] = {}

    def wanted(self, wiki_pages: tuple[Page, ...] | None) -> Pairs:
        """The pages (and their variants) of a wiki whose ``pages:`` is ``wiki_pages``."""
        found = self._wanted.get(wiki_pages)
        if found is None:
            pairs = [
                (page, [variant for variant in self.variants if variant.applies_to(page)])
                for page in Page
                if page in self.pages and (wiki_pages is None or page in wiki_pages)
            ]
            found = self._wanted[wiki_pages] = [(page, vs) for page, vs in pairs if vs]
        return found

    def level_set(self, levels: Mapping[str, tuple[str, ...]]) -> _LevelSet:
        key = tuple(levels.items())
        found = self._level_sets.get(key)
        if found is None:
            ids: dict[object, int] = {}
            fits = {v.name: _fit(v, levels, ids) for v in self.variants}
            found = self._level_sets[key] = _LevelSet(
                fits,
                tuple(v for v in self.variants if fits[v.name].skipped),
                frozenset(levels),
                {model: frozenset(offered) for model, offered in levels.items()},
            )
        return found


def _fit(variant: Variant, levels: Mapping[str, tuple[str, ...]], ids: dict[object, int]) -> _Fit:
    fitted = fit_variant(variant, levels)
    missing = tuple(m for m in ORES_MODELS if m in variant.required_models and m not in levels)
    # A skipped check keeps the URL it would have had, to show what it was meant to ask for.
    params = variant.params if missing or fitted.lacking else fitted.params
    filters_id = ids.setdefault(tuple(fitted.requested_filters.items()), len(ids))
    return _Fit(fitted, _query(params), missing, filters_id)


def _wiki_checks(shared: _Shared, wiki: WikiModel, wanted: Pairs, base: str) -> list[Check]:
    target = shared.target
    user = wiki.contributions_user or target.contributions_user
    origin = _origin(base)
    level_set = shared.level_set(wiki.ores)
    fits = level_set.fits
    no_login = not target.testbed and login_model(target, wiki) is None
    variant_skips = {v.name: _variant_skip(wiki, v, fits[v.name]) for v in level_set.skipping}
    for name in wiki.skip_variants:
        variant_skips[name] = _skip_variants_reason(name, wiki.id)
    scoring_grace_s = (
        DEFAULT_SCORING_GRACE_S if target.scoring_grace is None else target.scoring_grace
    )
    checks = []
    # Everything per page is worked out once per page, not per check: a big target has a
    # million checks (and hashing an Enum member is a Python-level call). new_check and
    # new_expectation build the same objects as the classes, faster.
    for page, variants in wanted:
        id_head = f"{wiki.id}/{page.value}/"
        url_head = page_url(base, page, {}, user)
        page_skip = _page_skip(wiki.id, page, user, no_login)
        watchlist = page is Page.WATCHLIST
        budgets = shared.budgets[page]
        # Frozen, so checks of this page asking for the same filters share one expectation.
        expectations: dict[int, Expectation] = {}
        for variant in variants:
            name = variant.name
            fit = fits[name]
            expectation = expectations.get(fit.filters_id)
            if expectation is None:
                expectation = expectations[fit.filters_id] = new_expectation(
                    page=page,
                    expected_models=level_set.models,
                    expected_levels=level_set.levels,
                    requested_filters=fit.fitted.requested_filters,
                    allowlist=shared.allowlist,
                    origin=origin,
                    budgets=budgets,
                    last_seen_levels={},  # drift: filled in by the plan from the last run
                    last_seen_run="",
                    reports_drift=False,
                    last_seen_scored=False,
                    scoring_grace_s=scoring_grace_s,
                )
            checks.append(
                new_check(
                    id=id_head + name,
                    target=shared.target_name,
                    wiki=wiki.id,
                    page=page,
                    variant=name,
                    url=url_head + fit.query,
                    expectation=expectation,
                    needs_login=watchlist,
                    skip_reason=variant_skips.get(name) or page_skip,
                )
            )
    return checks


def _origin(base: str) -> str:
    """``https://host:port`` of a base URL: urlsplit's scheme://netloc, for a URL without query
    or fragment (templates are validated so; the testbed's are plain), at a fraction of the cost."""
    scheme, _, rest = base.partition("://")
    return f"{scheme.lower()}://{rest.partition('/')[0]}"


def _budgets(config: SmokeConfig, page: Page) -> dict[str, float]:
    model = config.budgets.get(page.value)
    if model is None:
        return {}
    return {k: v for k, v in model.model_dump().items() if v is not None}


def _skip_variants_reason(name: str, wiki_id: str) -> str:
    return f"variant {name!r} is in skip_variants of {wiki_id} in wikis.yaml"


def _variant_skip(wiki: WikiModel, variant: Variant, fit: _Fit) -> str | None:
    """Why ``variant`` cannot run on ``wiki`` on any page (its ORES models or levels), or None."""
    if fit.missing_models:
        return (
            f"{wiki.id} has no ORES {' or '.join(fit.missing_models)} "
            f"(ores: [{', '.join(wiki.ores)}] in wikis.yaml); ORES variant not applicable"
        )
    if fit.fitted.lacking is not None:
        return lacking_reason(fit.fitted.lacking, wiki.id)
    return None


def _page_skip(wiki_id: str, page: Page, user: str | None, no_login: bool) -> str | None:
    """Why ``page`` of the wiki cannot be loaded at all, or None."""
    if page is Page.CONTRIBUTIONS and user is None:
        return (
            f"no contributions_user for {wiki_id} in wikis.yaml; "
            "Special:Contributions needs a user to show"
        )
    if page is Page.WATCHLIST and no_login:
        return f"no login configured for {wiki_id}; Watchlist needs a logged-in user"
    return None


def _base_url(
    config: SmokeConfig,
    target_name: str,
    target: TargetModel,
    wiki: WikiModel,
    base_urls: Mapping[str, str] | None,
) -> str:
    def wiki_path() -> FieldPath:  # for messages only: not worked out per wiki
        return ("targets", target_name, "wikis", target.wiki_index(wiki.id))

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
                (*wiki_path(), "id"),
                f"wiki {wiki.id!r} is not in the testbed farm "
                f"(farm wikis: {one_of(sorted(base_urls)) or 'none'})",
            )
        return base_urls[wiki.id].rstrip("/")
    template = wiki.url or target.url
    if template is None:  # the schema rejects this; kept for configs built in code
        raise error_at(config.source, wiki_path(), f"wiki {wiki.id!r} has no URL")
    if "lang" in _placeholders(template) and wiki.lang is None:
        raise error_at(
            config.source,
            wiki_path(),
            f"wiki {wiki.id!r} needs a lang: the url template {template!r} uses {{lang}}",
        )
    return template.format(id=wiki.id, lang=wiki.lang or "").rstrip("/")


@functools.lru_cache(maxsize=64)  # a target has one template (or a few): parse it once
def _placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _require_login_env(
    config: SmokeConfig,
    target_name: str,
    target: TargetModel,
    wiki: WikiModel,
    environ: Mapping[str, str],
    found: set[int],
) -> None:
    """A configured login whose variables are unset is an error, not a reason to skip.

    ``found`` holds the ids of logins already found set: most wikis share the target's.
    """
    login = login_model(target, wiki)
    if login is None or id(login) in found:
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
    found.add(id(login))
