"""The one translation of Playwright errors into could-not-check errors.

Every ``playwright`` exception that ends a check is turned into a
:class:`~smoke.model.findings.CouldNotCheck` here, at one boundary, so the classification (which
net:: error is "unreachable", which text means "crashed") and the messages live in one place.
What maps to what, by where the error happened::

    navigation_error(error, url, timeout_s)       page.goto() of the check's URL raised
     +-- playwright TimeoutError               -> NavigationTimeout
     |                                             "<url> did not finish loading within <N> s"
     +-- Error with a UNREACHABLE_MARKERS code -> TargetUnreachable
     |     net::ERR_CONNECTION_REFUSED,            "cannot reach <host>: net::ERR_…"
     |     ERR_NAME_NOT_RESOLVED, ERR_TIMED_OUT, …
     |     net::ERR_CERT_…, net::ERR_SSL_…         "cannot reach <host>: TLS/certificate error (…)"
     +-- Error with a CRASH_MARKERS text       -> BrowserCrashed
     |     "Target crashed", "… has been closed"   "the browser page crashed while loading <url>"
     +-- any other Error                       -> CouldNotCheck
                                                   "navigation to <url> failed: <first line>"

    reading_error(error, url, crashed=…)          reading the loaded page (readiness wait) raised
     +-- the page's "crash" event fired, or
     |   Error with a CRASH_MARKERS text       -> BrowserCrashed (also page_crashed(url))
     |                                             "the page crashed while checking <url>"
     +-- playwright TimeoutError               -> NavigationTimeout
     |                                             "<url> stopped responding while being read"
     +-- any other Error                       -> CouldNotCheck "reading <url> failed: <first line>"

    browser_unavailable(error, what)              launching or connecting to the browser raised
     +-- any Error                             -> CouldNotCheck "<what>: <first line>"

    login_error(error, wiki, api)                 the API login's page load or fetches raised
     +-- any Error                             -> TargetUnreachable
                                                   "<wiki>: cannot log in at <api>: <first line>"

``<first line>`` is :func:`first_line`: Playwright's messages carry a call log after the first line,
which is noise in a report. Errors that are harmless where they happen (closing a page that is
already gone) are caught as :data:`PlaywrightError` by their callers and not translated.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from smoke.model.findings import (
    BrowserCrashed,
    CouldNotCheck,
    NavigationTimeout,
    TargetUnreachable,
)

__all__ = [
    "CRASH_MARKERS",
    "UNREACHABLE_MARKERS",
    "PlaywrightError",
    "PlaywrightTimeout",
    "browser_unavailable",
    "first_line",
    "is_crash",
    "login_error",
    "navigation_error",
    "page_crashed",
    "reading_error",
]

# Network errors that mean "we could not reach the wiki", not "the wiki is broken". A marker
# ending in "_" is a family (certificate and TLS errors), reported with the error's own line.
UNREACHABLE_MARKERS = (
    "ERR_CONNECTION_REFUSED",
    "ERR_NAME_NOT_RESOLVED",
    "ERR_CONNECTION_RESET",
    "ERR_CONNECTION_CLOSED",
    "ERR_ADDRESS_UNREACHABLE",
    "ERR_CONNECTION_TIMED_OUT",
    "ERR_TIMED_OUT",
    "ERR_CERT_",
    "ERR_SSL_",
    "ERR_INTERNET_DISCONNECTED",
    "ERR_EMPTY_RESPONSE",
    "ERR_PROXY_CONNECTION_FAILED",
    "ERR_NAME_RESOLUTION_FAILED",
)
# Texts of errors raised because the renderer, the page or the whole browser went away.
CRASH_MARKERS = (
    "Target crashed",
    "Page crashed",
    "Target page, context or browser has been closed",
    "Browser has been closed",
    "browser has disconnected",
)

_FIRST_LINE_MAX = 300


def first_line(error: BaseException | str) -> str:
    """The first line of an error's message (at most 300 characters), or "no detail"."""
    text = str(error).strip()
    return text.splitlines()[0][:_FIRST_LINE_MAX] if text else "no detail"


def is_crash(error: BaseException) -> bool:
    """Whether ``error`` says the page, its context or the browser is gone."""
    text = str(error)
    return any(marker in text for marker in CRASH_MARKERS)


def navigation_error(error: PlaywrightError, url: str, timeout_s: float) -> CouldNotCheck:
    """What a failed ``page.goto(url)`` means for the check."""
    if isinstance(error, PlaywrightTimeout):
        return NavigationTimeout(f"{url} did not finish loading within {timeout_s:g} s")
    text = str(error)
    for marker in UNREACHABLE_MARKERS:
        if marker in text:
            host = urlsplit(url).netloc
            if marker.endswith("_"):
                return TargetUnreachable(
                    f"cannot reach {host}: TLS/certificate error ({first_line(text)})"
                )
            return TargetUnreachable(f"cannot reach {host}: net::{marker}")
    if is_crash(error):
        return BrowserCrashed(f"the browser page crashed while loading {url}")
    return CouldNotCheck(f"navigation to {url} failed: {first_line(text)}")


def page_crashed(url: str) -> BrowserCrashed:
    """The page's renderer crashed while the check read it."""
    return BrowserCrashed(f"the page crashed while checking {url}")


def reading_error(error: PlaywrightError, url: str, *, crashed: bool) -> CouldNotCheck:
    """What an error while reading a loaded page means; ``crashed``: its crash event fired."""
    if crashed or is_crash(error):
        return page_crashed(url)
    if isinstance(error, PlaywrightTimeout):
        return NavigationTimeout(f"{url} stopped responding while being read")
    return CouldNotCheck(f"reading {url} failed: {first_line(error)}")


def browser_unavailable(error: PlaywrightError, what: str) -> CouldNotCheck:
    """No browser to check with: ``what`` says which (e.g. "could not start Chromium at …")."""
    return CouldNotCheck(f"{what}: {first_line(error)}")


# What a connection that never reached a Playwright server says (refused, unknown host, timeout,
# not a Playwright endpoint); anything else was said by the server itself.
_UNREACHED = (
    "ECONNREFUSED",
    "ECONNRESET",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "getaddrinfo",
    "Timeout",
    "WebSocket error",
    "Unexpected server response",
    "socket hang up",
)


def server_refused(
    error: PlaywrightError, endpoint: str, browser_path: str | None
) -> CouldNotCheck:
    """``--browser-endpoint`` failed: unreachable, or reachable and refusing (then what it said).

    A server started without ``--unsafe`` drops a client's executable path and launches its own
    default browser, which is often not installed there: "Executable doesn't exist".
    """
    line = first_line(error).removeprefix("BrowserType.connect: ")
    if any(mark in str(error) for mark in _UNREACHED):
        return browser_unavailable(error, f"cannot reach the Playwright server at {endpoint}")
    hint = ""
    if browser_path and ("Executable" in line or "executable" in line):
        hint = (
            f" (it ignores --browser-path {browser_path} unless started with --unsafe: "
            "`playwright run-server --unsafe`)"
        )
    return CouldNotCheck(
        f"the Playwright server at {endpoint} answered but refused to start a browser: {line}{hint}"
    )


def login_error(error: PlaywrightError, wiki: str, api: str) -> TargetUnreachable:
    """The login could not talk to the wiki (a refused login is LoginFailed, raised elsewhere)."""
    return TargetUnreachable(f"{wiki}: cannot log in at {api}: {first_line(error)}")
