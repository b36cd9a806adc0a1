"""Every fault of the farm, seen with plain HTTP (urllib) or a short browser script — not smoke's
runner or detectors — switched on, observed, switched off and seen healthy again.

Uses the session farm (``farm_state``): the imitation SmokeOres unless ``$SMOKE_ORES_EXTENSION``
names an Extension:ORES checkout (the real extension has tests of its own in test_real_ores.py;
the assertions here hold on both). The ``fault`` fixture switches faults on and guarantees they
are off after the test; each test also switches its fault off itself to see the page recover.

The helpers (fetch, filter_groups, login, ...) are shared with test_real_ores.py.
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
from smoke.testbed.wikis import configured_levels
from tests.integration.host_helpers import listening_ports

ORES_WIKIS = ("enwiki", "ruwiki", "frwiki")
# Row CSS suffix of the goodfaith levels (Extension:ORES's names; damaging's are the level names).
GOODFAITH_CSS = {"likelygood": "good", "likelybad": "bad"}
ENGLISH_TITLES = ("Contribution quality predictions", "User intent predictions")
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
            urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect())
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


def ores_groups(document: str) -> dict[str, tuple[str, ...]] | None:
    """Only the damaging/goodfaith groups of the page, as the levels table writes them."""
    groups = filter_groups(document)
    if groups is None:
        return None
    return {g: tuple(levels) for g, levels in groups.items() if g in ("damaging", "goodfaith")}


def assert_ores_healthy(page: Response, wiki_id: str, *, rows: bool = True) -> None:
    """HTTP 200 with exactly the levels the farm's table configures for the wiki."""
    assert page.status == 200, (page.url, page.status)
    assert ores_groups(page.body) == configured_levels(wiki_id), page.url
    if rows:
        assert "mw-changeslist-damaging-likelybad" in page.body, page.url
        assert mw_config(page.body, "oresData"), page.url  # scored rows were rendered


def assert_contributions_healthy(page: Response) -> None:
    assert page.status == 200, (page.url, page.status)
    assert HIDE_NONDAMAGING.search(page.body), page.url
    assert mw_config(page.body, "oresData"), page.url  # Alice's edits have scores
    assert "ext.ores.styles" in page.body, page.url


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
    form = urlencode(
        {
            "action": "clientlogin",
            "username": wiki.account,
            "password": wiki.password(),
            "logintoken": token,
            "loginreturnurl": wiki.url + "/",
            "format": "json",
        }
    ).encode()
    with opener.open(f"{wiki.url}/api.php", form, timeout=30) as response:
        result = json.load(response)
    assert result["clientlogin"]["status"] == "PASS", result
    return opener


def switch_off(farm_state: FarmState, wiki: str, name: str) -> None:
    farm.set_fault(Path(farm_state.state_dir), wiki, name, False, log=lambda _msg: None)


# Faults this file switches on and observes; a new fault needs a test here before it counts.
COVERED = {
    "null-threshold-crash",
    "contributions-crash",
    "null-threshold-silent",
    "level-null",
    "service-500",
    "js-error",
    "module-error",
    "refetch-500",
    "slow",
    "flaky",
    "down",
    "latency",
}
# Today's ORES (the 1.43 farm) is switched on and observed in test_faults_today.py.
COVERED_ON_143 = {
    "liftwing-500",
    "liftwing-refused",
    "liftwing-bad-body",
    "threshold-off",
    "threshold-string",
    "model-off",
    "model-unregistered",
    "crash",
}


def test_every_fault_has_a_test_here() -> None:
    covered = COVERED | COVERED_ON_143
    assert set(FAULTS) == covered, "add a test for: " + ", ".join(sorted(set(FAULTS) - covered))


# --- healthy baseline --------------------------------------------------------------------------


@pytest.mark.parametrize("wiki_id", ORES_WIKIS)
def test_healthy_ores_wiki(farm_state: FarmState, wiki_id: str) -> None:
    wiki = farm_state.wikis[wiki_id]
    rc = fetch(wiki.url + RC)
    assert_ores_healthy(rc, wiki_id)
    assert mw_config(rc.body, "wgCanonicalSpecialPageName") == "Recentchanges"
    assert "ext.ores.styles" in rc.body
    # Row classes of every level the wiki offers (the seeded edits cover them all).
    for model, levels in configured_levels(wiki_id).items():
        for level in levels:
            suffix = level if model == "damaging" else GOODFAITH_CSS.get(level, level)
            assert f"mw-changeslist-{model}-{suffix}" in rc.body, (model, level)
    assert_contributions_healthy(fetch(wiki.url + CONTRIBS))
    api = json.loads(fetch(f"{wiki.url}/api.php?action=query&meta=ores&format=json").body)
    assert set(api["query"]["ores"]["models"]) == {"damaging", "goodfaith"}
    assert api["query"]["ores"]["baseurl"] == farm_state.service_url + "/"
    assert api["query"]["ores"]["wikiid"] == wiki_id
    offered_bad = [lv for lv in configured_levels(wiki_id)["damaging"] if lv != "likelygood"]
    assert list(api["query"]["ores"]["damagingthresholds"]) == offered_bad


def test_healthy_watchlist_needs_a_login(farm_state: FarmState) -> None:
    wiki = farm_state.wikis["enwiki"]
    anonymous = fetch(wiki.url + WL, follow=False)
    assert anonymous.status == 302
    assert "Special:UserLogin" in (anonymous.location or "")
    watchlist = fetch(wiki.url + WL, opener=login(wiki))
    assert_ores_healthy(watchlist, "enwiki")
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
    # No ORES extension at all, as on production wikis without ORES: meta=ores is unknown.
    api = json.loads(fetch(f"{wiki.url}/api.php?action=query&meta=ores&format=json").body)
    assert "ores" not in api.get("query", {})
    assert "ores" in json.dumps(api["warnings"])


@pytest.mark.parametrize(
    ("wiki_id", "lang", "title"),
    [
        ("ruwiki", "ru", "Служебная:Свежие_правки"),
        ("frwiki", "fr", "Spécial:Modifications_récentes"),
    ],
)
def test_localised_wikis(farm_state: FarmState, wiki_id: str, lang: str, title: str) -> None:
    rc = fetch(farm_state.wikis[wiki_id].url + RC)
    assert_ores_healthy(rc, wiki_id)
    assert unquote(rc.url).endswith("/index.php/" + title)  # redirected to the local name
    assert re.search(rf'<html[^>]* lang="{lang}"', rc.body)
    assert mw_config(rc.body, "wgPageName") == title
    assert mw_config(rc.body, "wgCanonicalSpecialPageName") == "Recentchanges"
    messages = mw_config(rc.body, "wgStructuredChangeFiltersMessages")
    assert isinstance(messages, dict)
    # The ORES group titles in the wiki's language (both ORES implementations translate them).
    for key in ("ores-rcfilters-damaging-title", "ores-rcfilters-goodfaith-title"):
        assert messages[key] and messages[key] not in ENGLISH_TITLES, (key, messages[key])
        assert "⧼" not in messages[key]


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
    assert_ores_healthy(fetch(farm_state.wikis[other].url + RC), other)

    switch_off(farm_state, wiki_id, "null-threshold-crash")
    assert_ores_healthy(fetch(wiki.url + RC), wiki_id)
    assert_ores_healthy(fetch(wiki.url + WL, opener=user), wiki_id)
    assert_contributions_healthy(fetch(wiki.url + CONTRIBS))


def test_contributions_crash(farm_state: FarmState, fault: Callable[..., None]) -> None:
    """Contributions alone throws, with its own message in the wiki's exception.log."""
    wiki = farm_state.wikis["enwiki"]
    fault("enwiki", "contributions-crash")
    page = fetch(wiki.url + CONTRIBS)
    assert_fatal_runtime_exception(page, english=True)
    match = FATAL.search(page.body)
    assert match is not None
    log = (wiki.dir / "exception.log").read_text("utf-8")
    assert f"[{match[1]}]" in log
    assert "RuntimeException: SmokeFarm fault contributions-crash" in log
    assert_ores_healthy(fetch(wiki.url + RC), "enwiki")


def assert_ores_silently_gone(page: Response) -> None:
    """HTTP 200, no error, the filters UI there without the damaging and goodfaith groups."""
    assert page.status == 200, (page.url, page.status)
    assert "Fatal exception" not in page.body
    groups = filter_groups(page.body)
    assert groups is not None and "userExpLevel" in groups, page.url
    assert "damaging" not in groups and "goodfaith" not in groups, groups
    assert "mw-changeslist-damaging-" not in page.body
    assert mw_config(page.body, "oresData") is None


def assert_contributions_unscored(page: Response) -> None:
    """Extension:ORES keeps the checkbox whenever the damaging model is enabled; without a
    threshold it filters nothing and no row carries a score."""
    assert page.status == 200, (page.url, page.status)
    assert HIDE_NONDAMAGING.search(page.body), page.url
    assert mw_config(page.body, "oresData") is None
    assert "ext.ores.styles" not in page.body


def test_null_threshold_silent(farm_state: FarmState, fault: Callable[..., None]) -> None:
    """Today's behaviour: HTTP 200, the ORES groups are simply gone."""
    wiki = farm_state.wikis["frwiki"]
    user = login(wiki)
    fault("frwiki", "null-threshold-silent")

    assert_ores_silently_gone(fetch(wiki.url + RC))
    assert_ores_silently_gone(fetch(wiki.url + WL, opener=user))
    assert_contributions_unscored(fetch(wiki.url + CONTRIBS))
    hide = fetch(wiki.url + CONTRIBS + "&hidenondamaging=1")
    assert hide.status == 200 and hide.body.count("data-mw-revid") == (
        fetch(wiki.url + CONTRIBS).body.count("data-mw-revid")
    )  # the checkbox hides nothing

    switch_off(farm_state, "frwiki", "null-threshold-silent")
    assert_ores_healthy(fetch(wiki.url + RC), "frwiki")
    assert_ores_healthy(fetch(wiki.url + WL, opener=user), "frwiki")
    assert_contributions_healthy(fetch(wiki.url + CONTRIBS))


def test_service_500(farm_state: FarmState, fault: Callable[..., None]) -> None:
    """The scoring service fails for the wiki: ORES drops every level, no error page anywhere;
    switching it off is seen at once (the one-minute cache of the failure does not hide it)."""
    wiki = farm_state.wikis["ruwiki"]
    user = login(wiki)
    fault("ruwiki", "service-500")

    assert_ores_silently_gone(fetch(wiki.url + RC))
    assert_ores_silently_gone(fetch(wiki.url + WL, opener=user))
    assert_contributions_unscored(fetch(wiki.url + CONTRIBS))
    api = json.loads(fetch(f"{wiki.url}/api.php?action=query&meta=ores&format=json").body)
    assert api["query"]["ores"]["damagingthresholds"] == []
    assert set(api["query"]["ores"]["models"]) == {"damaging", "goodfaith"}  # stored earlier
    assert_ores_healthy(fetch(farm_state.wikis["frwiki"].url + RC), "frwiki")  # per wiki

    switch_off(farm_state, "ruwiki", "service-500")
    assert_ores_healthy(fetch(wiki.url + RC), "ruwiki")
    assert_contributions_healthy(fetch(wiki.url + CONTRIBS))


def test_level_null(farm_state: FarmState) -> None:
    """One level's formula answered null: that level alone vanishes; HTTP 200."""
    state_dir = Path(farm_state.state_dir)
    wiki = farm_state.wikis["ruwiki"]
    expected = configured_levels("ruwiki")
    try:
        farm.set_fault(
            state_dir, "ruwiki", "level-null", True, model="goodfaith", level="likelybad",
            log=lambda _msg: None,
        )  # fmt: skip
        rc = fetch(wiki.url + RC)
        assert rc.status == 200
        gone = tuple(lv for lv in expected["goodfaith"] if lv != "likelybad")
        assert ores_groups(rc.body) == {"damaging": expected["damaging"], "goodfaith": gone}
        assert "mw-changeslist-goodfaith-bad" not in rc.body
        assert "mw-changeslist-goodfaith-maybebad" in rc.body
        # A second level of the other model.
        farm.set_fault(
            state_dir, "ruwiki", "level-null", True, model="damaging", level="verylikelybad",
            log=lambda _msg: None,
        )  # fmt: skip
        groups = ores_groups(fetch(wiki.url + RC).body)
        assert groups == {"damaging": expected["damaging"][:3], "goodfaith": gone}
    finally:
        switch_off(farm_state, "ruwiki", "level-null")
    assert_ores_healthy(fetch(wiki.url + RC), "ruwiki")


def test_refetch_500(farm_state: FarmState, fault: Callable[..., None]) -> None:
    """The filters app's AJAX refetch (action=render) fails while the page itself is fine."""
    wiki = farm_state.wikis["enwiki"]
    fault("enwiki", "refetch-500")
    render = fetch(wiki.url + RC + "&action=render&damaging=likelybad")
    assert render.status == 500
    assert "RuntimeException" in render.body
    assert_ores_healthy(fetch(wiki.url + RC), "enwiki")

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


def test_latency(farm_state: FarmState, fault: Callable[..., None]) -> None:
    """Every view of the three pages answers, healthy, after the added latency (a remote target)."""
    wiki = farm_state.wikis["enwiki"]
    fault("enwiki", "latency", delay=2)
    slowed = fetch(wiki.url + RC)
    assert_ores_healthy(slowed, "enwiki")  # nothing but the time changes
    assert slowed.seconds >= 2, slowed.seconds


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
    assert_ores_healthy(fast[0], "enwiki")
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

# The modules a look reads: ORES's styles, and the companion extension's two fault modules.
MODULES = ("ext.ores.styles", "ext.smokefarm.jserror", "ext.smokefarm.moduleerror")


@dataclass
class BrowserLook:
    page_errors: list[str]
    states: dict[str, str]  # ResourceLoader state per module of MODULES
    groups: list[str]  # the filter groups the initialised filters app has


def look_at(browser: Browser, url: str, *, wait_for_error: bool = False) -> BrowserLook:
    """Load ``url`` in a fresh context (no ResourceLoader cache from earlier looks)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url, wait_until="load", timeout=30_000)
        page.wait_for_function(
            "() => document.body.classList.contains('mw-rcfilters-ui-initialized')",
            timeout=30_000,
        )
        # Every module the page asked for has settled (ready or error).
        page.wait_for_function(
            "() => mw.loader.getModuleNames().every(m => "
            "!['loading', 'loaded', 'executing'].includes(mw.loader.getState(m)))",
            timeout=30_000,
        )
        deadline = time.monotonic() + (5 if wait_for_error else 1)
        while time.monotonic() < deadline and not (wait_for_error and errors):
            page.wait_for_timeout(100)
        return BrowserLook(
            errors,
            {m: page.evaluate("m => mw.loader.getState(m)", m) for m in MODULES},
            page.evaluate("() => mw.config.get('wgStructuredChangeFilters').map(g => g.name)"),
        )
    finally:
        context.close()


def test_js_error(farm_state: FarmState, fault: Callable[..., None], browser: Browser) -> None:
    url = farm_state.wikis["enwiki"].url + RC
    fault("enwiki", "js-error")
    broken = look_at(browser, url, wait_for_error=True)
    assert any("SmokeFarm fault js-error" in e for e in broken.page_errors), broken

    switch_off(farm_state, "enwiki", "js-error")
    healthy = look_at(browser, url)
    assert healthy.page_errors == []
    assert healthy.states["ext.smokefarm.jserror"] == "registered"  # not even loaded
    assert healthy.states["ext.ores.styles"] == "ready"
    assert {"damaging", "goodfaith"} <= set(healthy.groups)


@pytest.mark.parametrize("page", [RC, CONTRIBS])
def test_module_error(
    farm_state: FarmState, fault: Callable[..., None], browser: Browser, page: str
) -> None:
    url = farm_state.wikis["frwiki"].url + page
    fault("frwiki", "module-error")
    broken = look_at_any(browser, url)
    assert broken["ext.smokefarm.moduleerror"] == "error"
    assert broken["ext.ores.styles"] == "ready"  # ORES itself is fine

    switch_off(farm_state, "frwiki", "module-error")
    healthy = look_at_any(browser, url)
    assert healthy["ext.smokefarm.moduleerror"] == "registered"


def look_at_any(browser: Browser, url: str) -> dict[str, str]:
    """Module states of a page that has no filters app (Contributions) or has one."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="load", timeout=30_000)
        page.wait_for_function(
            "() => window.mw && mw.loader.getModuleNames().every(m => "
            "!['loading', 'loaded', 'executing'].includes(mw.loader.getState(m)))",
            timeout=30_000,
        )
        states: dict[str, str] = {
            m: page.evaluate("m => mw.loader.getState(m)", m) for m in MODULES
        }
        return states
    finally:
        context.close()
