"""``smoke discover``: which wikis a target has, and which have ORES — as a wikis.yaml section.

Reads the target's site matrix (``action=sitematrix``, Extension:SiteMatrix's module; the local
farm answers it too), then asks each wiki ``meta=ores`` (models) and ``meta=siteinfo`` (language,
script path, MediaWiki version). Beta sets no per-wiki ORES configuration in files a tester can
read, so asking the wikis themselves is the reliable way to know where ORES is active.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from smoke.model.checks import ORES_MODELS


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
    ores: tuple[str, ...] = ()
    generator: str = ""  # "MediaWiki 1.39.17"
    problem: str = ""  # why the wiki could not be asked (it is then left out of the YAML)
    extra_models: tuple[str, ...] = field(default=())  # other ORES-style models (revertrisk…)


def get_json(url: str, user_agent: str, timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def read_sitematrix(api: str, user_agent: str, timeout: float = 15.0) -> list[Site]:
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
        data = get_json(f"{api}?{query}", user_agent, timeout)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DiscoveryError(f"cannot read the site matrix at {api}: {exc}") from None
    matrix = data.get("sitematrix") if isinstance(data, dict) else None
    if not isinstance(matrix, dict):
        raise DiscoveryError(f"{api} has no action=sitematrix (is Extension:SiteMatrix there?)")
    sites: list[Site] = []
    for key, entry in matrix.items():
        if key == "count":
            continue
        entries = (
            entry
            if key == "specials"
            else (entry.get("site", []) if isinstance(entry, dict) else [])
        )
        lang = entry.get("code", "") if isinstance(entry, dict) else ""
        for site in entries:
            if any(flag in site for flag in ("closed", "private", "fishbowl", "nonglobal")):
                continue  # not loadable by an anonymous smoke account
            sites.append(
                Site(
                    site["dbname"],
                    site["url"],
                    site.get("lang", lang) or lang,
                    site.get("sitename", ""),
                )
            )
    return sorted(sites, key=lambda s: s.dbname)


def probe_wiki(site: Site, user_agent: str, timeout: float = 15.0) -> DiscoveredWiki:
    query = urllib.parse.urlencode(
        {
            "action": "query",
            "meta": "ores|siteinfo",
            "siprop": "general",
            "format": "json",
        }
    )
    last = "no answer"
    # Wikimedia serves the API under /w; a plain install (the local farm) at the root.
    for base in (site.url.rstrip("/") + "/w", site.url.rstrip("/")):
        try:
            data = get_json(f"{base}/api.php?{query}", user_agent, timeout)
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            continue
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last = str(getattr(exc, "reason", exc))
            continue
        general = data.get("query", {}).get("general", {})
        if not general:
            last = "not a MediaWiki API"
            continue
        models = data.get("query", {}).get("ores", {}).get("models", {}) or {}
        names = sorted(models) if isinstance(models, dict) else []
        return DiscoveredWiki(
            site=Site(site.dbname, site.url, general.get("lang", site.lang), site.sitename),
            base_url=general.get("server", "").rstrip("/") + general.get("scriptpath", ""),
            ores=tuple(m for m in ORES_MODELS if m in names),
            generator=general.get("generator", ""),
            extra_models=tuple(m for m in names if m not in ORES_MODELS),
        )
    return DiscoveredWiki(site=site, problem=last)


def discover(
    api: str, user_agent: str, *, wikis: Sequence[str] = (), workers: int = 4, timeout: float = 15.0
) -> list[DiscoveredWiki]:
    sites = read_sitematrix(api, user_agent, timeout)
    if wikis:
        sites = [s for s in sites if any(fnmatchcase(s.dbname, p) for p in wikis)]
    # A handful at a time: discovery is a few API calls per wiki, polite to the target.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda s: probe_wiki(s, user_agent, timeout), sites))


def render_yaml(
    target: str, found: Sequence[DiscoveredWiki], source: str, contributions_user: str | None = None
) -> str:
    """A `targets:` section for wikis.yaml, commented with what was found."""
    reachable = [w for w in found if not w.problem]
    with_ores = [w for w in reachable if w.ores]
    lines = [
        f"# smoke discover: {len(found)} wikis in the site matrix of {source};",
        f"# {len(reachable)} answered, {len(with_ores)} with ORES damaging/goodfaith.",
        "targets:",
        f"  {target}:",
    ]
    if contributions_user:
        lines.append(f"    contributions_user: {json.dumps(contributions_user)}")
    lines.append("    wikis:")
    for wiki in reachable:
        note = wiki.generator + (
            f"; also {', '.join(wiki.extra_models)}" if wiki.extra_models else ""
        )
        ores = "[" + ", ".join(wiki.ores) + "]"
        lines.append(
            f"      - {{id: {wiki.site.dbname}, lang: {wiki.site.lang}, "
            f"url: {json.dumps(wiki.base_url)}, ores: {ores}}}  # {note}"
        )
    for wiki in found:
        if wiki.problem:
            lines.append(f"      # {wiki.site.dbname} ({wiki.site.url}) left out: {wiki.problem}")
    return "\n".join(lines) + "\n"
