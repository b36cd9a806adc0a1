"""``subrequests``: same-origin sub-requests that got a 5xx or failed at network level.

These are the failures the page itself hides: a list refetch (``action=render``) that returns 500
leaves the filters UI saying "No changes … match these criteria" with no error box and no
JavaScript exception. Rules:

- Only same-origin requests count (scheme, host and port of ``expectation.origin``, else of the
  requested URL): a third-party failure is not the wiki's defect.
- Status >= 500 is a finding; 4xx is not (the favicon 404 of a healthy wiki, probes of optional
  resources).
- A network failure is a finding, except ``net::ERR_ABORTED`` / ``NS_BINDING_ABORTED``: requests
  the browser cancelled itself, e.g. when a navigation superseded them.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

from smoke.judge.detectors.registry import detector, truncate
from smoke.model.checks import Expectation
from smoke.model.findings import Finding
from smoke.model.record import PageRecord, SubRequest

NAME = "subrequests"

ABORTED_FAILURES = ("net::ERR_ABORTED", "NS_BINDING_ABORTED")

_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int | None]


def origin_of(url: str) -> Origin:
    """(scheme, host, port) with the default port filled in, so ``https://w`` == ``https://w:443``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a malformed port: compare as "no port"
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def describe_request(url: str) -> str:
    """What the request was for, in the words a MediaWiki developer uses."""
    parts = urlsplit(url)
    if parts.path.endswith("/load.php"):
        return "ResourceLoader request (load.php)"
    if parts.path.endswith("/api.php"):
        return "API request (api.php)"
    if "render" in parse_qs(parts.query).get("action", ()):
        return "list refetch (action=render)"
    return "sub-request"


def _is_aborted(failure: str) -> bool:
    return any(aborted in failure for aborted in ABORTED_FAILURES)


def _finding(request: SubRequest, problem: str) -> Finding:
    evidence = {
        "url": truncate(request.url),
        "method": request.method,
        "resource_type": request.resource_type,
        "status": "" if request.status is None else str(request.status),
    }
    if request.failure:
        evidence["failure"] = truncate(request.failure)
    return Finding(NAME, f"{describe_request(request.url)} {problem}", evidence)


@detector(NAME)
def subrequests(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """Same-origin sub-requests (load.php, api.php, refetch) with HTTP 5xx or network failure."""
    base = record.final_url or record.requested_url
    wiki = origin_of(expectation.origin or record.requested_url)
    for request in record.subrequests:
        # Resolve relative URLs against the page so they compare as the same origin.
        if origin_of(urljoin(base, request.url)) != wiki:
            continue
        if request.status is not None and request.status >= 500:
            yield _finding(request, f"returned HTTP {request.status}")
        elif request.failure and not _is_aborted(request.failure):
            yield _finding(request, f"failed: {request.failure}")
