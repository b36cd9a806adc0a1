"""Every fault of the farm, seen with plain HTTP (urllib) or a short browser script — not smoke's
runner or detectors — switched on, observed, switched off and seen healthy again.

Uses the session farm (``farm_state``). The ``fault`` fixture switches faults on and guarantees they
are off after the test; each test also switches its fault off itself to see the page recover.
"""

from __future__ import annotations

import html
import http.cookiejar
import itertools
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlencode

import pytest
from playwright.sync_api import Browser

from smoke.testbed import farm
from smoke.testbed.faults import FAULTS
from smoke.testbed.state import FarmState, WikiState, load_state
from tests.integration.host_helpers import listening_ports

ORES_WIKIS = ("enwiki", "ruwiki", "frwiki")
LEVELS = ["likelygood", "maybebad", "likelybad", "verylikelybad"]  # both models
RC = "/index.php?title=Special:RecentChanges"
WL = "/index.php?title=Special:Watchlist"
CONTRIBS = "/index.php?title=Special:Contributions/Alice"
HIDE_NONDAMAGING = re.compile(r"""id=["']ores-hide-nondamaging["']""")
# "[reqId] 2026-11-28 08:11:26: Fatal exception of type "RuntimeException"" (details off); the
# sentence is translated on ru/fr ("Неустранимое исключение типа «RuntimeException»"), the
# "[reqId] timestamp:" prefix and the quoted class are not.
FATAL = re.compile(r"\[([^\]\s]+)\] \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: ([^<]*)")
QUOTED_RUNTIME_EXCEPTION = re.compile(r"[\"«]\s*RuntimeException\s*[\"»]")


# --- plain HTTP helpers ------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    url: str
    body: str
    seconds: float
    location: str | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(
    url: str,
    *,
    opener: urllib.request.OpenerDirector | None = None,
    follow: bool = True,
    timeout: float = 30,
) -> Response:
    """GET ``url``; HTTP errors are returned as responses, not raised."""
    if opener is None:
        opener = (
            urllib.request.build_opener()
            if follow
            else urllib.request.build_opener(_NoRedirect())
        )
    started = time.monotonic()
    try:
        with opener.open(url, timeout=timeout) as response:
            body = response.read().decode("utf-8", "replace")
            return Response(response.status, response.url, body, time.monotonic() - started)
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")
        return Response(
            exc.code, exc.url, body, time.monotonic() - started, exc.headers.get("Location")
        )


def mw_config(document: str, key: str) -> object:
    """One value of the page's RLCONF (mw.config) as the server sent it, or None."""
    marker = f'"{key}":'
    at = document.find(marker)
    if at < 0:
        return None
    value, _ = json.JSONDecoder().raw_decode(document, at + len(marker))
    return value


def filter_groups(document: str) -> dict[str, list[str]] | None:
    """wgStructuredChangeFilters as {group name: [filter names]}; None when the page has none."""
    groups = mw_config(document, "wgStructuredChangeFilters")
    if groups is None:
        return None
    assert isinstance(groups, list)
    return {g["name"]: [f["name"] for f in g["filters"]] for g in groups}


def assert_ores_healthy(page: Response, *, rows: bool = True) -> None:
    assert page.status == 200, (page.url, page.status)
    groups = filter_groups(page.body)
    assert groups is not None, page.url
    assert groups.get("damaging") == LEVELS, groups
    assert groups.get("goodfaith") == LEVELS, groups
    if rows:
        assert "mw-changeslist-damaging-likelybad" in page.body, page.url


def assert_fatal_runtime_exception(page: Response, *, english: bool) -> None:
    """MediaWiki's HTTP 500 error page for an uncaught RuntimeException (details off)."""
    assert page.status == 500, (page.url, page.status)
    match = FATAL.search(page.body)
    assert match, page.body[:3000]
    sentence = html.unescape(match.group(2))
    assert QUOTED_RUNTIME_EXCEPTION.search(sentence), sentence
    if english:
        assert sentence.startswith('Fatal exception of type "RuntimeException"'), sentence
    # The bracketed id is the request id that goes into the report.
    assert mw_config(page.body, "wgRequestId") == match.group(1)
    assert 'class="mw-message-box-error' in page.body
    body_tag = page.body.split("<body", 1)[1].split(">", 1)[0]
    assert "mw-rcfilters-enabled" not in body_tag


def login(wiki: WikiState) -> urllib.request.OpenerDirector:
    """A cookie-jar opener logged in as the farm's smoke account (meta=tokens + clientlogin)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(
        f"{wiki.url}/api.php?action=query&meta=tokens&type=login&format=json", timeout=30
    ) as response:
        token = json.load(response)["query"]["tokens"]["logintoken"]
    form = urlencode({
        "action": "clientlogin", "username": wiki.account, "password": wiki.password(),
        "logintoken": token, "loginreturnurl": wiki.url + "/", "format": "json",
    }).encode()
    with opener.open(f"{wiki.url}/api.php", form, timeout=30) as response:
        result = json.load(response)
    assert result["clientlogin"]["status"] == "PASS", result
    return opener


def switch_off(farm_state: FarmState, wiki: str, name: str) -> None:
    farm.set_fault(Path(farm_state.state_dir), wiki, name, False, log=lambda _msg: None)


# Faults this file switches on and observes; a new fault needs a test here before it counts.
COVERED = {
    "null-threshold-crash", "null-threshold-silent", "js-error", "module-error", "refetch-500",
    "slow", "flaky", "down",
}


def test_every_fault_has_a_test_here() -> None:
    assert set(FAULTS) == COVERED, "add a test for: " + ", ".join(sorted(set(FAULTS) - COVERED))


# --- healthy baseline --------------------------------------------------------------------------


@pytest.mark.parametrize("wiki_id", ORES_WIKIS)
def test_healthy_ores_wiki(farm_state: FarmState, wiki_id: str) -> None:
    wiki = farm_state.wikis[wiki_id]
    assert_ores_healthy(fetch(wiki.url + RC))
    assert mw_config(fetch(wiki.url + RC).body, "wgCanonicalSpecialPageName") == "Recentchanges"
    contribs = fetch(wiki.url + CONTRIBS)
    assert contribs.status == 200
    assert HIDE_NONDAMAGING.search(contribs.body)
    assert "ores-highlight" in contribs.body  # likely-damaging contributions are marked
    api = json.loads(fetch(f"{wiki.url}/api.php?action=query&meta=ores&format=json").body)
    assert set(api["query"]["ores"]["models"]) == {"damaging", "goodfaith"}
    assert api["query"]["ores"]["baseurl"] == farm_state.service_url


def test_healthy_watchlist_needs_a_login(farm_state: FarmState) -> None:
    wiki = farm_state.wikis["enwiki"]
    anonymous = fetch(wiki.url + WL, follow=False)
    assert anonymous.status == 302
    assert "Special:UserLogin" in (anonymous.location or "")
    watchlist = fetch(wiki.url + WL, opener=login(wiki))
    assert_ores_healthy(watchlist)
    assert mw_config(watchlist.body, "wgCanonicalSpecialPageName") == "Watchlist"


def test_nooreswiki_has_no_ores(farm_state: FarmState) -> None:
    wiki = farm_state.wikis["nooreswiki"]
    rc = fetch(wiki.url + RC)
    assert rc.status == 200
    groups = filter_groups(rc.body)
    assert groups is not None and "userExpLevel" in groups  # the filters UI is there ...
    assert "damaging" not in groups and "goodfaith" not in groups  # ... without ORES
    assert "mw-changeslist-damaging-" not in rc.body
    contribs = fetch(wiki.url + CONTRIBS)
    assert contribs.status == 200
    assert not HIDE_NONDAMAGING.search(contribs.body)
    api = json.loads(fetch(f"{wiki.url}/api.php?action=query&meta=ores&format=json").body)
    assert api["query"]["ores"]["models"] == {}


@pytest.mark.parametrize(
    ("wiki_id", "lang", "title", "ores_title"),
    [
        ("ruwiki", "ru", "Служебная:Свежие_правки", "Прогноз качества правок"),
        ("frwiki", "fr", "Spécial:Modifications_récentes",
         "Prédictions de qualité des contributions"),
    ],
)
def test_localised_wikis(
    farm_state: FarmState, wiki_id: str, lang: str, title: str, ores_title: str
) -> None:
    rc = fetch(farm_state.wikis[wiki_id].url + RC)
    assert_ores_healthy(rc)
    assert unquote(rc.url).endswith("/index.php/" + title)  # redirected to the local name
    assert re.search(rf'<html[^>]* lang="{lang}"', rc.body)
    assert mw_config(rc.body, "wgPageName") == title
    assert mw_config(rc.body, "wgCanonicalSpecialPageName") == "Recentchanges"
    messages = mw_config(rc.body, "wgStructuredChangeFiltersMessages")
    assert isinstance(messages, dict)
    assert messages["smokeores-damaging-title"] == ores_title


# --- server-side faults, plain HTTP -------------------------------------------------------------


@pytest.mark.parametrize(("wiki_id", "other"), [("enwiki", "frwiki"), ("ruwiki", "enwiki")])
def test_null_threshold_crash(
    farm_state: FarmState, fault: Callable[..., None], wiki_id: str, other: str
) -> None:
    """T181006: null thresholds -> HTTP 500 on RecentChanges, Watchlist and Contributions."""
    wiki = farm_state.wikis[wiki_id]
    english = wiki.lang == "en"
    user = login(wiki)
    fault(wiki_id, "null-threshold-crash")

    assert_fatal_runtime_exception(fetch(wiki.url + RC), english=english)
    assert_fatal_runtime_exception(fetch(wiki.url + CONTRIBS), english=english)
    assert_fatal_runtime_exception(fetch(wiki.url + WL, opener=user), english=english)
    # Anonymous Watchlist is a login redirect: checking it anonymously would miss the crash.
    anonymous = fetch(wiki.url + WL, follow=False)
    assert anonymous.status in (301, 302)
    assert "Fatal exception" not in anonymous.body
    # The fault is per wiki.
    assert_ores_healthy(fetch(farm_state.wikis[other].url + RC))

    switch_off(farm_state, wiki_id, "null-threshold-crash")
    assert_ores_healthy(fetch(wiki.url + RC))
    assert_ores_healthy(fetch(wiki.url + WL, opener=user))
    contribs = fetch(wiki.url + CONTRIBS)
    assert contribs.status == 200 and HIDE_NONDAMAGING.search(contribs.body)


def test_null_threshold_silent(farm_state: FarmState, fault: Callable[..., None]) -> None:
    """Today's behaviour: HTTP 200, the ORES groups are simply gone."""
    wiki = farm_state.wikis["frwiki"]
    user = login(wiki)
    fault("frwiki", "null-threshold-silent")

    for page in (fetch(wiki.url + RC), fetch(wiki.url + WL, opener=user)):
        assert page.status == 200
        assert "Fatal exception" not in page.body
        groups = filter_groups(page.body)
        assert groups is not None and "userExpLevel" in groups, page.url
        assert "damaging" not in groups and "goodfaith" not in groups, groups
        assert "mw-changeslist-damaging-" not in page.body
    contribs = fetch(wiki.url + CONTRIBS)
    assert contribs.status == 200
    assert not HIDE_NONDAMAGING.search(contribs.body)

    switch_off(farm_state, "frwiki", "null-threshold-silent")
    assert_ores_healthy(fetch(wiki.url + RC))
    assert_ores_healthy(fetch(wiki.url + WL, opener=user))
    assert HIDE_NONDAMAGING.search(fetch(wiki.url + CONTRIBS).body)


def test_refetch_500(farm_state: FarmState, fault: Callable[..., None]) -> None:
    """The filters app's AJAX refetch (action=render) fails while the page itself is fine."""
    wiki = farm_state.wikis["enwiki"]
    fault("enwiki", "refetch-500")
    render = fetch(wiki.url + RC + "&action=render&damaging=likelybad")
    assert render.status == 500
    assert "RuntimeException" in render.body
    assert_ores_healthy(fetch(wiki.url + RC))

    switch_off(farm_state, "enwiki", "refetch-500")
    render = fetch(wiki.url + RC + "&action=render&damaging=likelybad")
    assert render.status == 200
    assert "mw-changeslist-damaging-likelybad" in render.body


def test_flaky(farm_state: FarmState, fault: Callable[..., None]) -> None:
    """Every other view of the three pages fails with HTTP 500; the one after a failure works."""
    wiki = farm_state.wikis["enwiki"]
    fault("enwiki", "flaky")
    views = [fetch(wiki.url + page) for page in (RC, RC, CONTRIBS, RC)]
    statuses = [v.status for v in views]
    assert sorted(set(statuses)) == [200, 500], statuses
    assert all(a != b for a, b in itertools.pairwise(statuses)), statuses  # they alternate
    for view in views:
        if view.status == 500:
            assert_fatal_runtime_exception(view, english=True)
        else:
            assert filter_groups(view.body) is not None or HIDE_NONDAMAGING.search(view.body)

    switch_off(farm_state, "enwiki", "flaky")
    assert [fetch(wiki.url + RC).status for _ in range(3)] == [200, 200, 200]


def test_slow(farm_state: FarmState, fault: Callable[..., None]) -> None:
    wiki = farm_state.wikis["enwiki"]
    fault("enwiki", "slow", delay=3)
    slow = fetch(wiki.url + RC)
    assert slow.status == 200
    assert slow.seconds >= 3, slow.seconds
    # Only the three special pages are slowed, not the API.
    assert fetch(f"{wiki.url}/api.php?action=query&meta=siteinfo&format=json").seconds < 3

    switch_off(farm_state, "enwiki", "slow")
    fast = [fetch(wiki.url + RC) for _ in range(2)]  # the faster of two: robust on a busy machine
    assert_ores_healthy(fast[0])
    assert min(r.seconds for r in fast) < 3, [r.seconds for r in fast]


def test_down(farm_state: FarmState, fault: Callable[..., None]) -> None:
    wiki = farm_state.wikis["nooreswiki"]
    fault("nooreswiki", "down")
    with pytest.raises(urllib.error.URLError) as refused:
        urllib.request.urlopen(wiki.url + RC, timeout=10)
    assert isinstance(refused.value.reason, ConnectionRefusedError)
    assert wiki.port not in listening_ports()
    state = load_state(Path(farm_state.state_dir))
    assert state.wikis["nooreswiki"].pgid is None
    assert state.wikis["nooreswiki"].faults == {"down": {}}
    # The others still answer.
    assert fetch(farm_state.wikis["enwiki"].url + RC).status == 200

    switch_off(farm_state, "nooreswiki", "down")
    rc = fetch(wiki.url + RC)
    assert rc.status == 200
    assert filter_groups(rc.body) is not None
    assert load_state(Path(farm_state.state_dir)).wikis["nooreswiki"].pgid


# --- client-side faults, a browser ------------------------------------------------------------


@dataclass
class BrowserLook:
    page_errors: list[str]
    highlighter: str
    fault_module: str


def look_at(browser: Browser, url: str, *, wait_for_error: bool = False) -> BrowserLook:
    """Load ``url`` in a fresh context (no ResourceLoader cache from earlier looks)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url, wait_until="load", timeout=30_000)
        page.wait_for_function(
            "() => window.mw && ['ready', 'error'].includes("
            "mw.loader.getState('ext.smokeores.highlighter'))",
            timeout=30_000,
        )
        page.wait_for_function(
            "() => document.body.classList.contains('mw-rcfilters-ui-initialized')",
            timeout=30_000,
        )
        deadline = time.monotonic() + (5 if wait_for_error else 1)
        while time.monotonic() < deadline and not (wait_for_error and errors):
            page.wait_for_timeout(100)
        return BrowserLook(
            errors,
            page.evaluate("mw.loader.getState('ext.smokeores.highlighter')"),
            page.evaluate("mw.loader.getState('ext.smokeores.faultjs')"),
        )
    finally:
        context.close()


def test_js_error(
    farm_state: FarmState, fault: Callable[..., None], browser: Browser
) -> None:
    url = farm_state.wikis["enwiki"].url + RC
    fault("enwiki", "js-error")
    broken = look_at(browser, url, wait_for_error=True)
    assert any("SmokeOres fault js-error" in e for e in broken.page_errors), broken

    switch_off(farm_state, "enwiki", "js-error")
    healthy = look_at(browser, url)
    assert healthy.page_errors == []
    assert healthy.fault_module == "registered"  # not even loaded
    assert healthy.highlighter == "ready"


def test_module_error(
    farm_state: FarmState, fault: Callable[..., None], browser: Browser
) -> None:
    url = farm_state.wikis["frwiki"].url + RC
    fault("frwiki", "module-error")
    broken = look_at(browser, url)
    assert broken.highlighter == "error"
    assert broken.page_errors == []  # a failing module is no uncaught exception

    switch_off(farm_state, "frwiki", "module-error")
    healthy = look_at(browser, url)
    assert healthy.highlighter == "ready"
    assert healthy.page_errors == []
