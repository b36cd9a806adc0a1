"""The translation of Playwright errors into could-not-check errors, on hand-made errors.

The messages are Playwright's own shape: a first line, then a call log that must not reach a report.
"""

from __future__ import annotations

import pytest

from smoke.browser.errors import (
    PlaywrightError,
    PlaywrightTimeout,
    browser_unavailable,
    first_line,
    is_crash,
    login_error,
    navigation_error,
    page_crashed,
    reading_error,
    server_refused,
)
from smoke.model.findings import (
    BrowserCrashed,
    CouldNotCheck,
    NavigationTimeout,
    TargetUnreachable,
)

URL = "http://wiki.test:8080/w/index.php?title=Special:RecentChanges"


def goto_error(code: str) -> PlaywrightError:
    return PlaywrightError(
        f"Page.goto: net::{code} at {URL}\nCall log:\n"
        f'  - navigating to "{URL}", waiting until "load"\n'
    )


def test_first_line_drops_the_call_log_and_caps_the_length() -> None:
    assert first_line(goto_error("ERR_FAILED")) == f"Page.goto: net::ERR_FAILED at {URL}"
    assert first_line("  \n x" + "y" * 400 + "\nmore") == "x" + "y" * 299
    assert first_line(PlaywrightError("")) == "no detail"
    assert first_line("   \n ") == "no detail"


@pytest.mark.parametrize(
    "code",
    [
        "ERR_CONNECTION_REFUSED",
        "ERR_NAME_NOT_RESOLVED",
        "ERR_CONNECTION_RESET",
        "ERR_ADDRESS_UNREACHABLE",
        "ERR_CONNECTION_TIMED_OUT",
        "ERR_EMPTY_RESPONSE",
    ],
)
def test_network_errors_are_unreachable_naming_host_and_code(code: str) -> None:
    error = navigation_error(goto_error(code), URL, 30)
    assert type(error) is TargetUnreachable
    assert str(error) == f"cannot reach wiki.test:8080: net::{code}"


def test_tls_errors_are_unreachable_with_the_errors_own_line() -> None:
    error = navigation_error(goto_error("ERR_CERT_AUTHORITY_INVALID"), URL, 30)
    assert type(error) is TargetUnreachable
    assert str(error) == (
        "cannot reach wiki.test:8080: TLS/certificate error "
        f"(Page.goto: net::ERR_CERT_AUTHORITY_INVALID at {URL})"
    )
    ssl = navigation_error(goto_error("ERR_SSL_PROTOCOL_ERROR"), URL, 30)
    assert "TLS/certificate error (Page.goto: net::ERR_SSL_PROTOCOL_ERROR" in str(ssl)


def test_a_navigation_timeout_is_reported_with_the_timeout_not_the_call_log() -> None:
    timeout = PlaywrightTimeout("Page.goto: Timeout 2500ms exceeded.\nCall log:\n  - ...")
    error = navigation_error(timeout, URL, 2.5)
    assert type(error) is NavigationTimeout
    assert str(error) == f"{URL} did not finish loading within 2.5 s"


def test_a_timeout_wins_over_a_network_code_in_its_text() -> None:
    # The class decides first: a timeout whose call log mentions a net:: code is still a timeout.
    timeout = PlaywrightTimeout("Timeout 30000ms exceeded.\n - net::ERR_TIMED_OUT seen")
    assert type(navigation_error(timeout, URL, 30)) is NavigationTimeout


@pytest.mark.parametrize(
    "text",
    ["Page.goto: Target crashed", "Page.goto: Target page, context or browser has been closed"],
)
def test_crashes_during_navigation(text: str) -> None:
    error = navigation_error(PlaywrightError(text), URL, 30)
    assert type(error) is BrowserCrashed
    assert str(error) == f"the browser page crashed while loading {URL}"
    assert is_crash(PlaywrightError(text))


def test_any_other_navigation_error_is_a_plain_could_not_check() -> None:
    error = navigation_error(goto_error("ERR_UNSAFE_PORT"), URL, 30)
    assert type(error) is CouldNotCheck
    assert str(error) == f"navigation to {URL} failed: Page.goto: net::ERR_UNSAFE_PORT at {URL}"
    assert not is_crash(goto_error("ERR_UNSAFE_PORT"))


def test_reading_errors() -> None:
    plain = PlaywrightError("Page.wait_for_function: Execution context was destroyed\nlog")
    crashed = reading_error(plain, URL, crashed=True)
    assert type(crashed) is BrowserCrashed
    assert str(crashed) == str(page_crashed(URL)) == f"the page crashed while checking {URL}"
    by_text = reading_error(PlaywrightError("Page.evaluate: Target crashed"), URL, crashed=False)
    assert type(by_text) is BrowserCrashed
    stalled = reading_error(PlaywrightTimeout("Timeout 15000ms exceeded."), URL, crashed=False)
    assert type(stalled) is NavigationTimeout
    assert str(stalled) == f"{URL} stopped responding while being read"
    other = reading_error(plain, URL, crashed=False)
    assert type(other) is CouldNotCheck
    assert str(other) == (
        f"reading {URL} failed: Page.wait_for_function: Execution context was destroyed"
    )


def test_browser_unavailable_and_login_errors() -> None:
    launch = PlaywrightError("BrowserType.launch: Executable doesn't exist at /x\n╔═══╗")
    error = browser_unavailable(launch, "could not start Chromium at /x")
    assert type(error) is CouldNotCheck
    assert str(error) == (
        "could not start Chromium at /x: BrowserType.launch: Executable doesn't exist at /x"
    )
    login = login_error(goto_error("ERR_CONNECTION_REFUSED"), "enwiki", "http://w/api.php")
    assert type(login) is TargetUnreachable
    assert str(login) == (
        "enwiki: cannot log in at http://w/api.php: "
        f"Page.goto: net::ERR_CONNECTION_REFUSED at {URL}"
    )


def test_a_browser_server_that_answers_is_not_called_unreachable() -> None:
    refused = server_refused(
        PlaywrightError(
            "BrowserType.connect: Executable doesn't exist at /root/.cache/ms-playwright/x\n╔═══"
        ),
        "ws://127.0.0.1:3000/",
        "/usr/bin/chromium",
    )
    assert "answered but refused to start a browser: Executable doesn't exist" in str(refused)
    assert "--unsafe" in str(refused) and "cannot reach" not in str(refused)
    down = server_refused(
        PlaywrightError("BrowserType.connect: connect ECONNREFUSED 127.0.0.1:3000"),
        "ws://127.0.0.1:3000/",
        None,
    )
    assert "cannot reach the Playwright server at ws://127.0.0.1:3000/" in str(down)
