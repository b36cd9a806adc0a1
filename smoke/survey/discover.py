"""``smoke discover``: which wikis a target has, and the ORES levels each offers — as wikis.yaml.

Reads the target's site matrix (``action=sitematrix``, Extension:SiteMatrix's module; the local
farm answers it too), then asks each wiki api.php (``meta=ores|siteinfo``: models, language,
script path, MediaWiki version) and, where ORES is there, Special:RecentChanges, whose
``wgStructuredChangeFilters`` says which damaging/goodfaith levels are offered now. Beta and
production configure levels per wiki in files a tester cannot always read, so asking the wikis
themselves is the reliable way; a healthy snapshot becomes the expectation.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from smoke.model.checks import ORES_MODELS
from smoke.survey.http import PoliteReader, ReadError
from smoke.survey.offer import Levels, WikiOffer, read_wiki
from smoke.survey.parallel import by_host
from smoke.survey.section import ores_value, section, wiki_line


class DiscoveryError(Exception):
    """The site matrix itself could not be read."""


@dataclass(frozen=True)
class Site:
    dbname: str
    url: str
    lang: str
    sitename: str = ""


@dataclass(frozen=True)
class DiscoveredWiki:
    site: Site
    base_url: str = ""  # the directory holding index.php/api.php
    ores: tuple[str, ...] = ()  # damaging/goodfaith as meta=ores names them
    levels: Levels | None = None  # offered on Special:RecentChanges; None: page not read
    generator: str = ""  # "MediaWiki 1.39.17"
    problem: str = ""  # why the wiki could not be asked (it is then left out of the YAML)
    extra_models: tuple[str, ...] = field(default=())  # other ORES-style models (revertrisk…)
    notes: tuple[str, ...] = field(default=())  # levels unknown, filters missing, …


def read_sitematrix(api: str, reader: PoliteReader) -> list[Site]:
    query = urllib.parse.urlencode(
        {
            "action": "sitematrix",
            "format": "json",
            "smtype": "language|special",
            "smlangprop": "code|site",
            "smsiteprop": "url|dbname|code|sitename",
        }
    )
    try:
        data = reader.get_json(f"{api}?{query}")
    except ReadError as exc:
        raise DiscoveryError(f"cannot read the site matrix at {api}: {exc}") from None
    matrix = data.get("sitematrix") if isinstance(data, dict) else None
    if not isinstance(matrix, dict):
        raise DiscoveryError(f"{api} has no action=sitematrix (is Extension:SiteMatrix there?)")
    sites: list[Site] = []
    for key, entry in matrix.items():
        if key == "count":
            continue
        sites.extend(_sites_of(key, entry))
    return sorted(sites, key=lambda s: s.dbname)


def _sites_of(key: str, entry: Any) -> list[Site]:
    if key == "specials":
        entries, lang = (entry if isinstance(entry, list) else []), ""
    elif isinstance(entry, dict):
        entries, lang = entry.get("site", []), entry.get("code", "")
    else:
        return []
    return [
        Site(site["dbname"], site["url"], site.get("lang", lang) or lang, site.get("sitename", ""))
        for site in entries
        # closed, private and the like are not loadable by an anonymous smoke account
        if not any(flag in site for flag in ("closed", "private", "fishbowl", "nonglobal"))
    ]


def probe_wiki(site: Site, reader: PoliteReader) -> DiscoveredWiki:
    """api.php under /w (Wikimedia), else at the root (a plain install, the local farm); then
    Special:RecentChanges where meta=ores answers."""
    offer = WikiOffer(site.url, problem="no answer")
    for base in (site.url.rstrip("/") + "/w", site.url.rstrip("/")):
        offer = read_wiki(reader, base, page_if_no_ores=False)
        if offer.api is not None:
            break
    api = offer.api
    if api is None:
        return DiscoveredWiki(site=site, problem=offer.problem.removeprefix("api.php: "))
    notes = offer.notes
    if offer.levels is None:
        notes = (f"levels unknown ({offer.problem}); models from meta=ores", *notes)
    return DiscoveredWiki(
        site=Site(site.dbname, site.url, api.lang or site.lang, site.sitename),
        base_url=api.base_url,
        ores=api.ores_models,
        levels=offer.levels,
        generator=api.generator,
        extra_models=tuple(m for m in api.models if m not in ORES_MODELS),
        notes=notes,
    )


def discover(
    api: str, user_agent: str, *, wikis: Sequence[str] = (), workers: int = 4, timeout: float = 15.0
) -> list[DiscoveredWiki]:
    reader = PoliteReader(user_agent, timeout=timeout)
    sites = read_sitematrix(api, reader)
    if wikis:
        sites = [s for s in sites if any(fnmatchcase(s.dbname, p) for p in wikis)]
    # A few hosts at a time, one request in flight per host: a handful of reads per wiki.
    found = by_host(sites, lambda s: s.url, lambda s: probe_wiki(s, reader), workers=workers)
    return [found[i] for i in range(len(sites))]


def incomplete(wiki: DiscoveredWiki) -> bool:
    """Left out, or its levels could not be read: discover then exits 3."""
    return bool(wiki.problem) or wiki.levels is None


def render_yaml(
    target: str, found: Sequence[DiscoveredWiki], source: str, contributions_user: str | None = None
) -> str:
    """A `targets:` section for wikis.yaml, commented with what was found."""
    reachable = [w for w in found if not w.problem]
    with_ores = [w for w in reachable if (w.levels if w.levels is not None else w.ores)]
    lines = []
    for wiki in reachable:
        ores = ores_value(wiki.levels) if wiki.levels is not None else list(wiki.ores)
        fields = {"id": wiki.site.dbname, "lang": wiki.site.lang, "url": wiki.base_url}
        comment = "; ".join(
            [wiki.generator, *(f"also {m}" for m in wiki.extra_models), *wiki.notes]
        )
        lines.append(wiki_line({**fields, "ores": ores}, comment.strip("; ")))
    for wiki in found:
        if wiki.problem:
            lines.append(f"      # {wiki.site.dbname} ({wiki.site.url}) left out: {wiki.problem}")
    header = [
        f"smoke discover: {len(found)} wikis in the site matrix of {source};",
        f"{len(reachable)} answered, {len(with_ores)} offer ORES damaging/goodfaith filters.",
        "ores: the levels each wiki's Special:RecentChanges offered when this was written.",
    ]
    settings = {"contributions_user": contributions_user} if contributions_user else None
    return section(target, lines, header=header, settings=settings)
