"""subrequests: same-origin 5xx and network failures; 4xx and other origins are not findings."""

from __future__ import annotations

import pytest

from smoke.judge.detectors.subrequests import describe_request, origin_of, subrequests
from smoke.model.checks import Expectation, Page
from smoke.model.findings import Finding
from smoke.model.record import PageRecord, SubRequest

ORIGIN = "http://127.0.0.1:8401"
PAGE = f"{ORIGIN}/index.php?title=Special:RecentChanges&damaging=likelybad"
RENDER = f"{ORIGIN}/index.php?title=Special:RecentChanges&damaging=likelybad&action=render"


def run(*requests: SubRequest, origin: str = ORIGIN, page: str = PAGE) -> list[Finding]:
    record = PageRecord(requested_url=page, status=200, subrequests=requests)
    return list(subrequests.func(record, Expectation(page=Page.RECENTCHANGES, origin=origin)))


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        (RENDER, 500, "list refetch (action=render) returned HTTP 500"),
        (f"{ORIGIN}/load.php?modules=ext.ores.styles", 500, "ResourceLoader request (load.php)"),
        (f"{ORIGIN}/api.php?meta=ores", 503, "API request (api.php) returned HTTP 503"),
        (f"{ORIGIN}/rest.php/v1/page", 502, "sub-request returned HTTP 502"),
    ],
)
def test_same_origin_5xx_is_a_finding(url: str, status: int, message: str) -> None:
    [finding] = run(SubRequest(url=url, resource_type="fetch", status=status))
    assert finding.detector == "subrequests"
    assert finding.message.startswith(message)
    assert finding.evidence["url"] == url
    assert finding.evidence["status"] == str(status)


def test_4xx_is_not_a_finding() -> None:
    assert run(SubRequest(url=f"{ORIGIN}/favicon.ico", status=404)) == []
    assert run(SubRequest(url=f"{ORIGIN}/api.php", status=403)) == []


def test_cross_origin_is_not_a_finding() -> None:
    assert run(SubRequest(url="https://meta.wikimedia.org/w/load.php", status=500)) == []
    assert run(SubRequest(url="https://cdn.example/x.js", failure="net::ERR_FAILED")) == []
    # Same host, other port: another origin.
    assert run(SubRequest(url="http://127.0.0.1:8402/load.php", status=500)) == []


def test_same_origin_network_failure_is_a_finding() -> None:
    request = SubRequest(url=RENDER, resource_type="fetch", failure="net::ERR_CONNECTION_RESET")
    [finding] = run(request)
    assert finding.message == "list refetch (action=render) failed: net::ERR_CONNECTION_RESET"
    assert finding.evidence["failure"] == "net::ERR_CONNECTION_RESET"
    assert finding.evidence["status"] == ""


def test_aborted_requests_are_noise() -> None:
    assert run(SubRequest(url=RENDER, failure="net::ERR_ABORTED")) == []
    assert run(SubRequest(url=RENDER, failure="NS_BINDING_ABORTED")) == []


def test_origin_falls_back_to_the_requested_url() -> None:
    wiki = "https://fr.wikipedia.beta.wmcloud.org"
    page = f"{wiki}/wiki/Spécial:Modifications_récentes"
    assert len(run(SubRequest(url=f"{wiki}/w/load.php", status=500), origin="", page=page)) == 1
    assert run(SubRequest(url=f"{ORIGIN}/w/load.php", status=500), origin="", page=page) == []


def test_default_port_and_case_do_not_change_the_origin() -> None:
    assert origin_of("https://Wiki.example/w") == origin_of("https://wiki.example:443/x")
    assert origin_of("http://wiki.example") != origin_of("https://wiki.example")
    found = run(
        SubRequest(url="https://wiki.example:443/w/api.php", status=500),
        origin="https://wiki.example",
    )
    assert len(found) == 1


def test_relative_urls_are_same_origin() -> None:
    assert len(run(SubRequest(url="/load.php?modules=x", status=500))) == 1


def test_describe_request_prefers_the_entry_point() -> None:
    assert describe_request(f"{ORIGIN}/w/load.php?action=render") == (
        "ResourceLoader request (load.php)"
    )


def test_healthy_page_produces_nothing() -> None:
    assert run() == []
