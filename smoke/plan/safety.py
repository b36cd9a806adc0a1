"""Refusing Wikimedia production hosts unless asked, and mapping hosts to chosen addresses.

smoke is meant for the beta cluster and low-traffic staging targets. A wikis.yaml pointed at
production by mistake would send a sweep of uncached special-page loads to the live sites, so
production hosts are refused unless ``--allow-production`` is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from smoke.model.values import BadValue, parse_ip

# Wikimedia production domains (the beta cluster lives under *.beta.wmcloud.org, not here).
PRODUCTION_DOMAINS: tuple[str, ...] = (
    "wikipedia.org",
    "wikimedia.org",
    "wiktionary.org",
    "wikibooks.org",
    "wikinews.org",
    "wikiquote.org",
    "wikisource.org",
    "wikiversity.org",
    "wikivoyage.org",
    "wikidata.org",
    "mediawiki.org",
    "wikimediafoundation.org",
    "wikifunctions.org",
    "wmfusercontent.org",
)


# scheme://netloc (or what stands there) of a URL: the part that names the host.
_ORIGIN = re.compile(r"[^/?#]*(?://[^/?#]*)?")


class Refused(Exception):
    """A check would load a production host and --allow-production was not given."""


def is_production(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in PRODUCTION_DOMAINS)


def hosts_of(urls: Iterable[str]) -> frozenset[str]:
    """The host names of ``urls``, lower-cased (the plan's: its production refusal and whether
    it is served from this machine)."""
    # One urlsplit per origin, not per URL: a large target has a million URLs and few hosts.
    origins = {_ORIGIN.match(u)[0] for u in urls}  # type: ignore[index]  # always matches
    return frozenset({urlsplit(o).hostname or "" for o in origins} - {""})


def refuse_production(hosts: Iterable[str]) -> None:
    production = [h for h in sorted(hosts) if is_production(h)]
    if production:
        shown = ", ".join(production[:3]) + (" …" if len(production) > 3 else "")
        raise Refused(
            f"refusing to load Wikimedia production host(s) {shown}: smoke is for beta and "
            "staging targets; pass --allow-production if you really mean production"
        )


@dataclass(frozen=True)
class Resolve:
    """``--resolve HOST=IP``: connect to IP for HOST (globs allowed), keeping the host name."""

    host: str
    address: str

    @classmethod
    def parse(cls, text: str) -> Resolve:
        host, sep, address = text.partition("=")
        host, address = host.strip(), address.strip()
        if not sep or not host or not address or " " in host or "," in host:
            raise ValueError(
                f"--resolve {text!r} must look like HOST=IP (e.g. en.wikipedia.beta.wmcloud.org="
                "127.0.0.1, or '*.beta.wmcloud.org=10.0.0.5')"
            )
        try:
            return cls(host, parse_ip(address))
        except BadValue as exc:
            raise ValueError(f"--resolve {text!r}: {exc}") from None

    def matches(self, host: str) -> bool:
        return fnmatchcase(host.lower(), self.host.lower())


def host_resolver_rules(resolves: Sequence[Resolve]) -> str:
    """Chromium's --host-resolver-rules value: the browser keeps host names (cookies, links,
    Host header, TLS name) but connects to the given address."""
    return ", ".join(f"MAP {r.host} {r.address}" for r in resolves)
