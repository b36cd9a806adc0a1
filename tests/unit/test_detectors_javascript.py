"""javascript: uncaught exceptions and console errors, with the allowlist."""

from __future__ import annotations

from smoke.judge.detectors.javascript import javascript
from smoke.model.checks import AllowEntry, Expectation, Page
from smoke.model.findings import Finding
from smoke.model.record import ConsoleMessage, PageError, PageRecord, SubRequest

ORIGIN = "http://127.0.0.1:8401"
FAVICON = f"{ORIGIN}/favicon.ico"
FAILED = "Failed to load resource: the server responded with a status of"
FAVICON_404 = ConsoleMessage("error", f"{FAILED} 404 (Not Found)", FAVICON)


def run(
    *,
    console: tuple[ConsoleMessage, ...] = (),
    page_errors: tuple[PageError, ...] = (),
    allowlist: tuple[AllowEntry, ...] = (),
    subrequests: tuple[SubRequest, ...] = (),
) -> list[Finding]:
    record = PageRecord(
        requested_url=f"{ORIGIN}/index.php?title=Special:RecentChanges",
        status=200,
        console=console,
        page_errors=page_errors,
        subrequests=subrequests,
    )
    expectation = Expectation(page=Page.RECENTCHANGES, allowlist=allowlist, origin=ORIGIN)
    return list(javascript.func(record, expectation))


def test_page_error_is_a_finding() -> None:
    error = PageError("TypeError: x is undefined\nmore", "at load.php:1:2")
    [finding] = run(page_errors=(error,))
    assert finding.detector == "javascript"
    assert finding.message == "uncaught JavaScript exception: TypeError: x is undefined"
    assert finding.evidence == {"message": error.message, "stack": "at load.php:1:2"}


def test_console_error_is_a_finding_and_other_types_are_not() -> None:
    console = (
        ConsoleMessage("error", "Uncaught ReferenceError: $ is not defined", f"{ORIGIN}/load.php"),
        ConsoleMessage("warning", "JQMIGRATE: jQuery.fn.size() is deprecated"),
        ConsoleMessage("log", "hello"),
    )
    [finding] = run(console=console)
    assert finding.message == "console error: Uncaught ReferenceError: $ is not defined"
    assert finding.evidence["url"] == f"{ORIGIN}/load.php"


def test_long_texts_are_truncated_in_evidence() -> None:
    [finding] = run(page_errors=(PageError("E" * 1000),))
    assert len(finding.evidence["message"]) == 300
    assert finding.evidence["message"].endswith("…")


def test_allowlist_suppresses_console_errors_and_page_errors() -> None:
    allow = (AllowEntry(pattern=r"Gadget-\w+ failed", reason="known gadget", task="T1"),)
    console = (ConsoleMessage("error", "Gadget-foo failed to start"),)
    page_errors = (PageError("Error: Gadget-bar failed hard"),)
    assert run(console=console, page_errors=page_errors, allowlist=allow) == []


def test_allowlist_that_does_not_match_suppresses_nothing() -> None:
    allow = (AllowEntry(pattern=r"^Gadget", reason="anchored: must be at the start"),)
    console = (ConsoleMessage("error", "Error in Gadget-foo"),)
    assert len(run(console=console, allowlist=allow)) == 1


def test_allowlist_matches_the_console_message_url() -> None:
    allow = (AllowEntry(pattern=r"/MediaWiki:Common\.js", reason="site script noise"),)
    console = (ConsoleMessage("error", "Script error.", f"{ORIGIN}/MediaWiki:Common.js"),)
    assert run(console=console, allowlist=allow) == []


def test_failed_to_load_resource_is_left_to_the_subrequests_detector() -> None:
    line = ConsoleMessage(
        "error",
        f"{FAILED} 500 (Internal Server Error)",
        f"{ORIGIN}/index.php?title=Special:RecentChanges&action=render",
    )
    request = SubRequest(url=line.url, resource_type="fetch", status=500)
    assert run(console=(line,), subrequests=(request,)) == []


def test_favicon_404_with_the_default_style_allowlist_entry() -> None:
    allow = (AllowEntry(pattern=r"favicon\.ico", reason="Debian wiki has no favicon"),)
    request = SubRequest(url=FAVICON, resource_type="other", status=404)
    assert run(console=(FAVICON_404,), subrequests=(request,), allowlist=allow) == []
    assert run(console=(FAVICON_404,), subrequests=(request,)) == []


def test_healthy_page_produces_nothing() -> None:
    assert run() == []
