"""server-error: HTTP 5xx and MediaWiki error pages in every markup MediaWiki has used."""

from __future__ import annotations

import pytest

from smoke.judge.detectors.server_error import FATAL_TEXTS, may_be_error_page, server_error
from smoke.model.checks import Expectation, Page
from smoke.model.findings import Finding
from smoke.model.record import MwConfig, PageRecord

RC = Expectation(page=Page.RECENTCHANGES, origin="http://127.0.0.1:8401")
URL = "http://127.0.0.1:8401/index.php?title=Special:RecentChanges&damaging=likelybad"
REQ_ID = "ZnV0dXJlLXJlcS1pZA"


def skinned(title: str, heading: str, content: str, *, body_class: str = "") -> str:
    """A page as MediaWiki 1.39 renders it inside the Vector skin (trimmed)."""
    return f"""<!DOCTYPE html>
<html class="client-nojs" lang="en" dir="ltr"><head><meta charset="UTF-8"/>
<title>{title} - Smoke Wiki</title>
<script>RLCONF={{"wgRequestId":"{REQ_ID}","wgCanonicalSpecialPageName":"Recentchanges"}};</script>
<style>.errorbox{{color:red}}</style>
</head>
<body class="mediawiki ltr ns--1 ns-special mw-special-Recentchanges {body_class}">
<div id="content" class="mw-body" role="main">
<h1 id="firstHeading" class="firstHeading mw-first-heading">{heading}</h1>
<div id="bodyContent" class="vector-body">
<div id="mw-content-text">{content}</div>
</div></div></body></html>"""


DETAILS_OFF = (
    f"[{REQ_ID}] 2024-05-01 12:00:00: Fatal exception of type &quot;RuntimeException&quot;"
)
BACKTRACE_HINT = """<!-- Set $wgShowExceptionDetails = true; at the bottom of
LocalSettings.php to show detailed debugging
information. -->"""


def run(html: str, status: int | None = 500, request_id: str | None = REQ_ID) -> list[Finding]:
    record = PageRecord(
        requested_url=URL,
        status=status,
        html=html,
        mw_config=MwConfig(request_id=request_id),
    )
    return list(server_error.func(record, RC))


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


# --- the three error box markups -------------------------------------------------------------


def test_mw_message_box_error_1_39_details_off() -> None:
    box = f'<div class="mw-message-box-error mw-content-ltr mw-message-box">{DETAILS_OFF}</div>'
    finding = only(run(skinned("Internal error", "Internal error", box + BACKTRACE_HINT)))
    assert finding.detector == "server-error"
    assert finding.message == (
        f'HTTP 500: Fatal exception of type "RuntimeException" (request id {REQ_ID})'
    )
    assert finding.evidence["exception_class"] == "RuntimeException"
    assert finding.evidence["request_id"] == REQ_ID
    assert finding.evidence["status"] == "500"
    assert "wgShowExceptionDetails" not in finding.evidence["error_text"]


def test_errorbox_1_38() -> None:
    box = f'<div class="errorbox mw-content-ltr">{DETAILS_OFF}</div>'
    finding = only(run(skinned("Internal error", "Internal error", box), request_id=None))
    assert finding.evidence["exception_class"] == "RuntimeException"
    # The bracketed id of the error text is used even when mw.config was not read.
    assert finding.evidence["request_id"] == REQ_ID


def test_codex_message_error_with_status_200() -> None:
    box = (
        '<div class="cdx-message cdx-message--block cdx-message--error mw-content-ltr">'
        '<span class="cdx-message__icon"></span>'
        f'<div class="cdx-message__content">{DETAILS_OFF}</div></div>'
    )
    finding = only(run(skinned("Internal error", "Internal error", box), status=200))
    assert finding.message.startswith('HTTP 200: Fatal exception of type "RuntimeException"')
    assert finding.evidence["status"] == "200"


def test_error_box_class_must_be_a_whole_token() -> None:
    box = f'<div class="mw-errorbox-legacy">{DETAILS_OFF}</div>'
    assert run(skinned("Recent changes", "Recent changes", box), status=200) == []


# --- the exception text forms -----------------------------------------------------------------


def test_details_on_form() -> None:
    box = (
        '<div class="mw-message-box-error mw-content-ltr mw-message-box"><p>'
        f"[{REQ_ID}] /index.php?title=Special:RecentChanges&amp;damaging=likelybad   "
        "RuntimeException: Unable to parse threshold: {&quot;max&quot;:null}"
        "</p><p>Backtrace:</p><p>from /var/lib/mediawiki/extensions/ORES/includes/"
        "ThresholdParser.php(98)<br />#0 /var/lib/mediawiki/...</p></div>"
    )
    finding = only(run(skinned("Internal error", "Internal error", box), request_id="other"))
    assert finding.evidence["exception_class"] == "RuntimeException"
    assert finding.evidence["exception_message"] == 'Unable to parse threshold: {"max":null}'
    assert finding.evidence["request_id"] == REQ_ID
    assert finding.message == (
        f'HTTP 500: Fatal exception of type "RuntimeException" (request id {REQ_ID})'
    )


def test_namespaced_exception_class() -> None:
    box = (
        '<div class="mw-message-box-error mw-message-box">'
        f"[{REQ_ID}] /index.php   Wikimedia\\Rdbms\\DBQueryError: Error 1054</div>"
    )
    finding = only(run(skinned("Internal error", "Internal error", box)))
    assert finding.evidence["exception_class"] == "Wikimedia\\Rdbms\\DBQueryError"


def test_translated_error_page() -> None:
    # ruwiki: title, heading and sentence are translated; the "[reqId] timestamp:" prefix is not.
    box = (
        '<div class="mw-message-box-error mw-message-box">'
        f"[{REQ_ID}] 2024-05-01 12:00:00: Неустранимое исключение типа «RuntimeException»</div>"
    )
    finding = only(run(skinned("Внутренняя ошибка", "Внутренняя ошибка", box), status=200))
    assert finding.evidence["exception_class"] == "RuntimeException"
    assert finding.evidence["request_id"] == REQ_ID


def test_french_error_page_with_spaced_guillemets() -> None:
    # frwiki as seen on 1.39: non-breaking spaces inside the guillemets.
    box = (
        '<div class="mw-message-box-error mw-content-ltr mw-message-box">'
        f"[{REQ_ID}] 2026-11-28 08:08:08: Erreur fatale de type «\u00a0RuntimeException\u00a0»"
        "</div>"
    )
    finding = only(run(skinned("Erreur interne", "Erreur interne", box), status=500))
    assert finding.evidence["exception_class"] == "RuntimeException"
    assert "RuntimeException" in finding.message


def test_box_on_internal_error_page_counts_even_with_unknown_text() -> None:
    box = '<div class="errorbox">Something went wrong.</div>'
    finding = only(run(skinned("Internal error", "Internal error", box), status=200))
    assert finding.message == f"HTTP 200: MediaWiki error page (request id {REQ_ID})"
    assert finding.evidence["exception_class"] == ""


def test_mediawiki_internal_error_exception_in_handler() -> None:
    # Bare text page (no skin, no <html>), as printed when the handler itself threw.
    html = (
        "MediaWiki internal error.<br />\n<br />\nOriginal exception: "
        f"[{REQ_ID}] 2024-05-01 12:00:00: Fatal exception of type &quot;RuntimeException&quot;"
        "<br />\n<br />\nException caught inside exception handler.<br />\n<br />\n"
        "Set $wgShowExceptionDetails = true; at the bottom of LocalSettings.php to show detailed "
        "debugging information.<br />\n"
    )
    for status in (500, 200):
        finding = only(run(html, status=status, request_id=None))
        assert finding.evidence["exception_class"] == "RuntimeException"
        assert finding.evidence["request_id"] == REQ_ID


def test_mediawiki_internal_error_details_on_names_the_original_exception() -> None:
    html = (
        "MediaWiki internal error.<br />\n<br />\nOriginal exception: "
        f"[{REQ_ID}] /index.php?title=Special:Watchlist   RuntimeException: Unable to parse"
        "<br />\nBacktrace:<br />\n#0 {main}<br />\n<br />\n"
        f"Exception caught inside exception handler: [{REQ_ID}] /index.php   Error: Oops"
        "<br />\nBacktrace:<br />\n#0 {main}<br />\n"
    )
    finding = only(run(html, status=500))
    assert finding.evidence["exception_class"] == "RuntimeException"
    assert finding.evidence["exception_message"] == "Unable to parse"


def test_mediawiki_internal_error_without_class() -> None:
    html = "MediaWiki internal error.<br />\n<br />\nException caught inside exception handler."
    finding = only(run(html, status=200, request_id=None))
    assert finding.message == "HTTP 200: MediaWiki internal error (request id unknown)"
    assert finding.evidence["request_id"] == ""


def test_database_error_page() -> None:
    html = (
        "<!DOCTYPE html><html><head><title>Smoke Wiki has a problem</title></head><body>"
        "<h1>Sorry! This site is experiencing technical difficulties.</h1>"
        "<p>Try waiting a few minutes and reloading.</p>"
        "<p><small>(Cannot access the database)</small></p><hr />"
        '<div style="margin: 1.5em">You can try searching via Google in the meantime.</div>'
        "</body></html>"
    )
    finding = only(run(html, status=200, request_id=None))
    assert "Sorry! This site is experiencing technical difficulties" in finding.message
    assert finding.message.startswith("HTTP 200: database error page")


# --- status rule ------------------------------------------------------------------------------


def test_plain_5xx_without_error_page() -> None:
    html = "<html><body><h1>Error 503 Backend fetch failed</h1><p>[varnish] XID: 1</p>"
    finding = only(run(html, status=503))
    assert finding.message == (
        f"HTTP 503: server error (no MediaWiki error page recognised) (request id {REQ_ID})"
    )
    assert finding.evidence["exception_class"] == ""
    assert finding.evidence["request_id"] == REQ_ID  # from wgRequestId


def test_empty_5xx_body() -> None:
    finding = only(run("", status=500, request_id=None))
    assert finding.evidence == {"status": "500", "exception_class": "", "request_id": ""}


# --- negatives --------------------------------------------------------------------------------

HEALTHY_RC = skinned(
    "Recent changes",
    "Recent changes",
    """<div class="mw-rcfilters-container"></div>
<div class="mw-changeslist"><div><h4>1 May 2024</h4>
<table class="mw-changeslist-line mw-changeslist-edit mw-changeslist-damaging-likelybad">
<tr><td><a href="/index.php?title=Main_Page">Main Page</a>
<span class="comment">(MediaWiki internal error: Fatal exception of type "X" on my laptop)</span>
<span class="comment">(Sorry! This site is experiencing technical difficulties)</span>
</td></tr></table></div></div>""",
    body_class="mw-rcfilters-enabled mw-rcfilters-ui-initialized",
)


def test_healthy_recentchanges_produces_nothing() -> None:
    # The edit summaries quote the fatal texts: user content on a skinned page is not an error.
    assert run(HEALTHY_RC, status=200) == []


def test_form_validation_error_box_alone_is_not_a_server_error() -> None:
    box = (
        '<div class="mw-message-box-error mw-message-box">'
        "The IP range 10.0.0.0/8 is larger than the limit of /16.</div>"
    )
    html = skinned("Contributions of 10.0.0.0/8", "User contributions", box)
    assert run(html, status=200) == []
    # …but the same page with a 5xx status is one.
    assert len(run(html, status=500)) == 1


def test_status_none_and_no_error_page() -> None:
    assert run(HEALTHY_RC, status=None) == []


# --- the raw-HTML shortcut (healthy pages are not parsed) ------------------------------------

PLAIN_RC = (
    HEALTHY_RC.replace("<style>.errorbox{color:red}</style>", "")
    .replace("MediaWiki internal error: Fatal exception", "boring")
    .replace("(Sorry! This site is experiencing technical difficulties)", "")
)


def test_shortcut_skips_a_healthy_page() -> None:
    assert not may_be_error_page(PLAIN_RC)
    assert run(PLAIN_RC, status=200) == []


@pytest.mark.parametrize("css_class", ["errorbox", "mw-message-box-error", "cdx-message--error"])
def test_shortcut_keeps_every_error_box_markup(css_class: str) -> None:
    html = skinned("Internal error", "Internal error", f'<div class="{css_class}">whatever</div>')
    assert may_be_error_page(html.replace("<style>.errorbox{color:red}</style>", ""))


@pytest.mark.parametrize("gap", [" ", "\n  ", "&nbsp;", "&#160;", "\u00a0", "</b> <b>"])
@pytest.mark.parametrize("text", [text for text, _ in FATAL_TEXTS])
def test_shortcut_keeps_fatal_texts_however_the_words_are_separated(text: str, gap: str) -> None:
    bare = "<html><body><p>" + gap.join(text.split()) + "</p></body></html>"
    assert may_be_error_page(bare)
    # And the full rule still fires on such a bare page, so the shortcut hid nothing.
    assert len(run(bare, status=200)) == 1
