"""Secrets removed by their shape, where smoke does not know the value, in every place it meets
them: page HTML, trace events and DOM snapshots, links, form bodies, escaped JSON.

The three leaks of the issue "Secrets in every spelling" are the last test.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from smoke.output.redact import REDACTED, redact

# As MediaWiki 1.39 makes them: a logged-in page's <head> (each token's "+\\" suffix escaped in
# the JS literal), a token (Token.php: 32 hex of HMAC, hex timestamp, "+\\"), a watchlist token.
LOGGED_IN_HEAD = (
    "<script>(RLQ=window.RLQ||[]).push(function(){mw.user.tokens.set("
    '{"patrolToken":"0a1b2c3d4e5f+\\\\","watchToken":"9f8e7d6c5b4a+\\\\",'
    '"csrfToken":"deadbeefcafe+\\\\"});});</script>'
)
TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f96b0cb262+\\"
WLTOKEN = "2043d39c32a1d57202299e36c4f8b736740049c5"

OPAQUE = "opaque-Value_42"  # a token of another shape (an extension's, another user's)


def test_the_watchlist_mark_all_visited_form_loses_its_hidden_token() -> None:
    form = (  # SpecialWatchlist.php, as the HTML of the page and of the trace's resources
        '<form method="post" action="/index.php?title=Special:Watchlist">'
        f'<input type="hidden" value="{TOKEN}" name="token"/>'
        '<input type="hidden" value="all" name="reset"/></form>'
        f'<input name="wpEditToken" type="hidden" value="{OPAQUE}">'
        f"<input type='hidden' name='wpLoginToken' value='{OPAQUE}'>"
        f'<input data-value="keep" name="title" value="Special:Watchlist">'
    )
    text = redact(form)
    assert OPAQUE not in text and TOKEN[:32] not in text
    assert f'<input type="hidden" value="{REDACTED}" name="token"/>' in text
    assert f'<input name="wpEditToken" type="hidden" value="{REDACTED}">' in text
    assert f"value='{REDACTED}'>" in text
    assert 'value="all" name="reset"' in text and 'value="Special:Watchlist"' in text


def test_hidden_inputs_inside_json_strings_lose_their_value() -> None:
    reset = '<input value="all" name="reset">'
    page = f'<input type="hidden" value="{OPAQUE}" name="token"/>{reset}'
    event = json.dumps({"type": "resource", "body": page})
    body = json.loads(redact(event))["body"]
    assert body == f'<input type="hidden" value="{REDACTED}" name="token"/>{reset}'


def test_dom_snapshots_of_token_inputs_lose_value_and_playwright_value() -> None:
    snapshot = json.dumps(
        [
            "INPUT",
            {"__playwright_value_": OPAQUE, "type": "hidden", "value": OPAQUE, "name": "token"},
        ]
    )
    kept = json.dumps(["INPUT", {"__playwright_value_": "all", "value": "all", "name": "reset"}])
    assert json.loads(redact(snapshot)) == [
        "INPUT",
        {"__playwright_value_": REDACTED, "type": "hidden", "value": REDACTED, "name": "token"},
    ]
    assert redact(kept) == kept


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (  # the watchlist feed link in page.html: HTML-escaped
            f'href="/api.php?action=feedwatchlist&amp;wlowner=Smoke&amp;wltoken={OPAQUE}'
            '&amp;feedformat=atom"',
            f'href="/api.php?action=feedwatchlist&amp;wlowner=Smoke&amp;wltoken={REDACTED}'
            '&amp;feedformat=atom"',
        ),
        (  # a rollback link
            f'<a href="/index.php?title=X&amp;action=rollback&amp;from=A&amp;token={OPAQUE}">',
            f'<a href="/index.php?title=X&amp;action=rollback&amp;from=A&amp;token={REDACTED}">',
        ),
        (  # a URL inside a URL
            f"returnto=%2Fapi.php%3Faction%3Dwatch%26token%3D{OPAQUE}%26format%3Djson",
            f"returnto=%2Fapi.php%3Faction%3Dwatch%26token%3D{REDACTED}%26format%3Djson",
        ),
        (  # a form body, the token first
            f'"postData":"token={OPAQUE}&action=markseen"',
            f'"postData":"token={REDACTED}&action=markseen"',
        ),
        (f"&#38;wltoken={OPAQUE}", f"&#38;wltoken={REDACTED}"),
        (f"\\u0026token={OPAQUE}", f"\\u0026token={REDACTED}"),
    ],
)
def test_token_parameters_after_every_separator(link: str, expected: str) -> None:
    assert redact(link) == expected


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_token_fields_with_escaped_quotes(depth: int) -> None:
    text = json.dumps({"csrfToken": OPAQUE, "tokenType": "csrf"}, separators=(",", ":"))
    for _ in range(depth):  # {\"csrfToken\":\"…\"}, {\\\"csrfToken\\\":\\\"…\\\"}, …
        text = json.dumps(text)
    redacted = redact(text)
    for _ in range(depth):
        redacted = json.loads(redacted)
    assert json.loads(redacted) == {"csrfToken": REDACTED, "tokenType": "csrf"}


def test_the_three_leaks_of_the_issue_are_closed() -> None:
    # 1. csrfToken in trace.trace, quotes escaped (the page's <head> inside a JSON event).
    event = json.dumps({"type": "resource-snapshot", "html": LOGGED_IN_HEAD})
    # 2. Watchlist's hidden token in the trace's HTML resources (and their Allure copies).
    form = f'<input type="hidden" value="{TOKEN}" name="token"/>'
    # 3. wltoken HTML-escaped in page.html; rollback links &amp;token=.
    feed = f"&amp;wlowner=SmokeCheck&amp;wltoken={WLTOKEN}&amp;feedformat=atom"
    rollback = f"&amp;action=rollback&amp;token={quote(TOKEN)}"
    for text in (event, form, feed, rollback):
        redacted = redact(text)  # by shape alone: no value given
        for value in ("0a1b2c3d4e5f", "9f8e7d6c5b4a", "deadbeefcafe", TOKEN[:32], WLTOKEN):
            assert value not in redacted
