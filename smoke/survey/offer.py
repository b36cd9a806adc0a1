"""What one wiki offers of ORES now: levels from Special:RecentChanges, facts from api.php.

Which levels a wiki offers is per-wiki configuration (``$wgOresFiltersThresholds``), and the only
place that shows what is *offered now* is the page itself: MediaWiki puts the filter groups into
the page head as ``wgStructuredChangeFilters`` (in ``RLCONF = {…}`` since 1.32, in
``mw.config.set({…})`` before), ORES adding the groups ``damaging`` and ``goodfaith`` with only
the levels whose thresholds parsed. That JSON is read straight from the HTML, no browser.
``meta=ores`` (models the extension knows, current in its table) and ``meta=siteinfo`` (MediaWiki
and extension versions) come from one api.php request.

Both generations answer alike: REL1_43 (1.43, Lift Wing) returns the same ``meta=ores`` shape as
the 2022 extension (``damagingthresholds`` numbers in both). Its model list comes from
``ores_model``, filled from ``$wgOresModelVersions`` for every model *configured*, enabled or not
(``PopulatedSqlModelLookup``), so a model listed there proves nothing about its filters: the levels
are read from the page only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from smoke.model.checks import ORES_LEVELS, ORES_MODELS
from smoke.survey.http import PoliteReader, ReadError

Levels = Mapping[str, tuple[str, ...]]  # model -> offered levels in ORES_LEVELS order

# The page's mw.config object: `RLCONF = {` (1.32+, minified or not) or `mw.config.set({` (older).
_CONFIG_START = re.compile(r"(?:\bRLCONF\s*=\s*|\bmw\.config\.set\(\s*)(?=\{)")
# strict=False: RLCONF strings may hold raw control characters (wgSeparatorTransformTable).
_DECODER = json.JSONDecoder(strict=False)

API_QUERY = urlencode(
    {
        "action": "query",
        "meta": "ores|siteinfo",  # one request; without ORES, meta=ores is a warning only
        "siprop": "general|extensions",
        "format": "json",
    }
)
# Few rows: the groups are in the head whatever the list holds, and the wiki does less work.
RC_QUERY = "title=Special:RecentChanges&days=1&limit=1"


class PageShapeError(ValueError):
    """The HTML has no mw.config with wgStructuredChangeFilters."""


def page_config(html: str) -> dict[str, Any] | None:
    """The page's mw.config variables (the first RLCONF / mw.config.set object), or None."""
    for match in _CONFIG_START.finditer(html):
        try:
            value, _end = _DECODER.raw_decode(html, match.end())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def filter_groups(html: str) -> list[dict[str, Any]]:
    """``wgStructuredChangeFilters`` of a RecentChanges/Watchlist page; PageShapeError if absent."""
    config = page_config(html)
    if config is None:
        raise PageShapeError("no mw.config (RLCONF) in the page: not a MediaWiki page?")
    groups = config.get("wgStructuredChangeFilters")
    if not isinstance(groups, list):
        raise PageShapeError(
            "no wgStructuredChangeFilters in the page (structured filters off, or an error page)"
        )
    return [g for g in groups if isinstance(g, dict)]


def ores_levels(groups: list[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """model -> levels offered, canonical order; a model without a group (or levels) is absent."""
    levels: dict[str, tuple[str, ...]] = {}
    for group in groups:
        model = group.get("name")
        if model not in ORES_MODELS:
            continue
        names = {f.get("name") for f in group.get("filters") or () if isinstance(f, dict)}
        offered = tuple(level for level in ORES_LEVELS if level in names)
        if offered:
            levels[str(model)] = offered
    return {model: levels[model] for model in ORES_MODELS if model in levels}


def describe_levels(levels: Levels) -> str:
    """``damaging (4 levels), goodfaith (3 levels)``, or ``none``."""
    parts = [f"{m} ({len(v)} level{'s' if len(v) != 1 else ''})" for m, v in levels.items() if v]
    return ", ".join(parts) or "none"


@dataclass(frozen=True)
class ApiFacts:
    """What api.php says: meta=siteinfo general + extensions, and meta=ores."""

    base_url: str  # server + scriptpath: the directory holding index.php
    lang: str
    sitename: str
    generator: str  # "MediaWiki 1.39.17"
    ores_extension: str  # ORES's version ("1.0", a short git hash, "installed"); "" if absent
    has_meta_ores: bool  # meta=ores answered (Extension:ORES, or the farm's imitation)
    models: tuple[str, ...] = ()  # meta=ores models, sorted (damaging, goodfaith, revertrisk…)

    @property
    def mediawiki(self) -> str:
        return self.generator.removeprefix("MediaWiki ").strip()

    @property
    def ores_models(self) -> tuple[str, ...]:
        """The damaging/goodfaith models meta=ores names, in ORES_MODELS order."""
        return tuple(m for m in ORES_MODELS if m in self.models)


def parse_api(data: Any, requested: str) -> ApiFacts:
    """ApiFacts from a meta=ores|siteinfo answer; ReadError when it is not MediaWiki's."""
    query = data.get("query") if isinstance(data, dict) else None
    general = query.get("general") if isinstance(query, dict) else None
    if not isinstance(query, dict) or not isinstance(general, dict) or not general:
        raise ReadError("not a MediaWiki API (no meta=siteinfo)")
    ores = query.get("ores")
    models = ores.get("models") if isinstance(ores, dict) else None
    return ApiFacts(
        base_url=_base_url(general, requested),
        lang=str(general.get("lang", "")),
        sitename=str(general.get("sitename", "")),
        generator=str(general.get("generator", "")),
        ores_extension=_ores_extension(query.get("extensions")),
        has_meta_ores=isinstance(ores, dict),
        models=tuple(sorted(models)) if isinstance(models, dict) else (),
    )


def _base_url(general: Mapping[str, Any], requested: str) -> str:
    server = str(general.get("server", "")).rstrip("/")
    if server.startswith("//"):  # Wikimedia's $wgServer is protocol-relative
        server = f"{urlsplit(requested).scheme or 'https'}:{server}"
    return server + str(general.get("scriptpath", ""))


def _ores_extension(extensions: Any) -> str:
    for entry in extensions if isinstance(extensions, list) else ():
        if isinstance(entry, dict) and entry.get("name") == "ORES":
            version = entry.get("version") or str(entry.get("vcs-version", ""))[:7]
            return str(version) or "installed"
    return ""


@dataclass(frozen=True)
class WikiOffer:
    """One wiki read: api.php facts and RecentChanges levels; ``problem`` when either failed."""

    url: str  # the base URL asked
    api: ApiFacts | None = None
    levels: Levels | None = None  # None: the page was not read (or not asked)
    problem: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def read(self) -> bool:
        return not self.problem and self.api is not None and self.levels is not None


def read_api(reader: PoliteReader, base: str) -> ApiFacts:
    url = f"{base.rstrip('/')}/api.php?{API_QUERY}"
    return parse_api(reader.get_json(url), url)


def read_levels(reader: PoliteReader, base: str) -> dict[str, tuple[str, ...]]:
    """The ORES levels Special:RecentChanges offers (one page load, plus its redirect if any)."""
    try:
        answer = reader.get_text(f"{base.rstrip('/')}/index.php?{RC_QUERY}")
    except ReadError as exc:
        raise ReadError(f"Special:RecentChanges: {exc}") from None
    try:
        return ores_levels(filter_groups(answer.text))
    except PageShapeError as exc:
        raise ReadError(f"Special:RecentChanges: {exc}") from None


def read_wiki(reader: PoliteReader, base: str, *, page_if_no_ores: bool = True) -> WikiOffer:
    """api.php, then Special:RecentChanges: at most three requests (the page may redirect once,
    to its localised name). ``page_if_no_ores=False`` skips the page when api.php shows no ORES.
    """
    try:
        api = read_api(reader, base)
    except ReadError as exc:
        return WikiOffer(base, problem=f"api.php: {exc}")
    if not page_if_no_ores and not api.has_meta_ores:
        return WikiOffer(base, api, levels={})
    try:
        levels = read_levels(reader, base)
    except ReadError as exc:
        return WikiOffer(base, api, problem=str(exc))
    return WikiOffer(base, api, levels, notes=_notes(api, levels))


def _notes(api: ApiFacts, levels: Levels) -> tuple[str, ...]:
    silent = [m for m in api.ores_models if m not in levels]
    if not silent:
        return ()
    return (
        f"meta=ores lists {', '.join(silent)}, but Special:RecentChanges offers no "
        f"{'/'.join(silent)} filters (the model is disabled in $wgOresModels, the ORES UI is "
        "off there, or its thresholds did not parse)",
    )
