"""Secrets removed from what smoke writes: page HTML, URLs, console logs, trace zips, known values.

Hand-built inputs in the shapes MediaWiki and Playwright produce them.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from smoke.output.redact import REDACTED, redact, redact_trace

# What MediaWiki 1.39 puts in the <head> of a logged-in page: the JS literal of each token ends in
# "+\\" (the token's own "+\" suffix, escaped), which must not end the match early.
LOGGED_IN_HEAD = (
    "<script>(RLQ=window.RLQ||[]).push(function(){mw.user.tokens.set("
    '{"patrolToken":"0a1b2c3d4e5f+\\\\","watchToken":"9f8e7d6c5b4a+\\\\",'
    '"csrfToken":"deadbeefcafe+\\\\"});});</script>'
)


def test_every_mediawiki_token_in_the_page_head_is_removed() -> None:
    text = redact(LOGGED_IN_HEAD)
    for value in ("0a1b2c3d4e5f", "9f8e7d6c5b4a", "deadbeefcafe"):
        assert value not in text
    assert text == (
        "<script>(RLQ=window.RLQ||[]).push(function(){mw.user.tokens.set("
        f'{{"patrolToken":"{REDACTED}","watchToken":"{REDACTED}",'
        f'"csrfToken":"{REDACTED}"}});}});</script>'
    )


def test_token_fields_of_api_answers_are_removed_other_fields_kept() -> None:
    answer = json.dumps(
        {
            "query": {"tokens": {"logintoken": "abc123+\\", "csrftoken": "def456+\\"}},
            "tokenType": "login",  # a field *about* tokens, not a token
            "broken": "yes",
        }
    )
    data = json.loads(redact(answer))  # still valid JSON
    assert data["query"]["tokens"] == {"logintoken": REDACTED, "csrftoken": REDACTED}
    assert data["tokenType"] == "login" and data["broken"] == "yes"


def test_a_token_value_with_escaped_quotes_is_removed_whole() -> None:
    text = redact('{"editToken": "a\\"b\\"c", "next": 1}')
    assert text == f'{{"editToken": "{REDACTED}", "next": 1}}'


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://w.test/w/api.php?action=query&token=abc%2B%5C&format=json",
            f"https://w.test/w/api.php?action=query&token={REDACTED}&format=json",
        ),
        (
            "https://w.test/w/index.php?csrftoken=abc#section",
            f"https://w.test/w/index.php?csrftoken={REDACTED}#section",
        ),
        (
            "https://w.test/w/api.php?action=login&lgname=Smoke&lgpassword=hunter22",
            f"https://w.test/w/api.php?action=login&lgname=Smoke&lgpassword={REDACTED}",
        ),
        (
            "https://w.test/w/index.php?title=X&PASSWORD=hunter22&LoginToken=t0k",
            f"https://w.test/w/index.php?title=X&PASSWORD={REDACTED}&LoginToken={REDACTED}",
        ),
        (  # parameters that only look alike stay
            "https://w.test/w/index.php?title=Token&tokens=1&page=password",
            "https://w.test/w/index.php?title=Token&tokens=1&page=password",
        ),
    ],
)
def test_token_and_password_parameters_in_urls(url: str, expected: str) -> None:
    assert redact(url) == expected


def test_a_url_parameter_ends_at_whitespace_and_quotes() -> None:
    text = redact(
        "GET https://w.test/api.php?token=abc def 'https://w.test/?token=xyz' \"?token=q\""
    )
    assert text == (
        f"GET https://w.test/api.php?token={REDACTED} def "
        f"'https://w.test/?token={REDACTED}' \"?token={REDACTED}\""
    )


def test_console_log_lines_lose_their_tokens_and_keep_the_rest() -> None:
    log = "\n".join(
        [
            "error: Failed to load resource: the server responded with a status of 500 ()"
            "  (https://w.test/w/api.php?action=watch&token=abc%2B%5C&format=json)",
            "warning: JQMIGRATE: jQuery.fn.size() is deprecated",
            "subrequest: POST https://w.test/w/api.php?action=clientlogin&logintoken=z9 -> 503",
        ]
    )
    lines = redact(log).splitlines()
    assert lines[0].endswith(f"?action=watch&token={REDACTED}&format=json)")
    assert lines[0].startswith("error: Failed to load resource")
    assert lines[1] == "warning: JQMIGRATE: jQuery.fn.size() is deprecated"
    assert lines[2] == (
        f"subrequest: POST https://w.test/w/api.php?action=clientlogin&logintoken={REDACTED} -> 503"
    )


def test_secret_headers_as_traces_store_them() -> None:
    headers = json.dumps(
        [
            {"name": "Cookie", "value": "enwiki_session=s3cr3t; enwikiUserName=Smoke"},
            {"name": "set-cookie", "value": "enwiki_session=n3w; HttpOnly"},
            {"name": "Authorization", "value": "Bearer abc.def"},
            {"name": "Content-Type", "value": "text/html; charset=UTF-8"},
        ]
    )
    values = [h["value"] for h in json.loads(redact(headers))]
    assert values == [REDACTED, REDACTED, REDACTED, "text/html; charset=UTF-8"]


def test_session_and_token_cookies_as_storage_states_list_them() -> None:
    state = json.dumps(
        {
            "cookies": [
                {"name": "enwiki_session", "value": "s3ss10n", "domain": "w.test"},
                {"name": "enwikiToken", "value": "rememb3r", "domain": "w.test"},
                {"name": "enwikiUserName", "value": "Smoke", "domain": "w.test"},
            ]
        }
    )
    cookies = json.loads(redact(state))["cookies"]
    assert [c["value"] for c in cookies] == [REDACTED, REDACTED, "Smoke"]
    assert [c["domain"] for c in cookies] == ["w.test"] * 3


def test_known_secret_values_are_removed_wherever_they_appear() -> None:
    text = "user Smoke, password correct-horse, cookie=abcd1234 and again abcd1234"
    assert redact(text, ["correct-horse", "abcd1234"]) == (
        f"user Smoke, password {REDACTED}, cookie={REDACTED} and again {REDACTED}"
    )


def test_tiny_and_empty_secrets_are_ignored() -> None:
    # A 3-character "secret" would blank out every occurrence of common text.
    text = "the abc of it"
    assert redact(text, ["", "abc", "the"]) == text
    assert redact(text, ("of i",)) == f"the abc {REDACTED}t"


def test_text_without_secrets_is_unchanged_and_redaction_is_idempotent() -> None:
    plain = "<p>Recent changes: 12 edits, filters damaging=likelybad;verylikelybad</p>"
    assert redact(plain) == plain
    once = redact(LOGGED_IN_HEAD + " ?token=abc", ["0a1b2c3d"])
    assert redact(once, ["0a1b2c3d"]) == once


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00secret-in-binary"


def test_a_trace_zip_has_every_text_member_redacted_and_binaries_copied(tmp_path: Path) -> None:
    source, target = tmp_path / "trace.raw.zip", tmp_path / "trace.zip"
    network = json.dumps(
        {
            "type": "resource-snapshot",
            "snapshot": {
                "request": {
                    "url": "https://w.test/w/api.php?action=watch&token=abc%2B%5C",
                    "headers": [{"name": "cookie", "value": "enwiki_session=s3ss10n"}],
                },
            },
        }
    )
    _zip(
        source,
        {
            "trace.trace": b'{"type":"log","message":"logged in as Smoke, sessionvalue42"}\n',
            "trace.network": network.encode(),
            "resources/page.html": LOGGED_IN_HEAD.encode("utf-8"),
            "resources/shot.png": PNG,
        },
    )
    secrets = (s for s in ["sessionvalue42"])  # any iterable, read once for all members
    redact_trace(source, target, secrets)

    assert not source.exists()  # the raw trace is never left behind
    members = _members(target)
    assert list(members) == [
        "trace.trace",
        "trace.network",
        "resources/page.html",
        "resources/shot.png",
    ]
    assert members["trace.trace"] == (
        f'{{"type":"log","message":"logged in as Smoke, {REDACTED}"}}\n'.encode()
    )
    request = json.loads(members["trace.network"])["snapshot"]["request"]
    assert request["url"] == f"https://w.test/w/api.php?action=watch&token={REDACTED}"
    assert request["headers"] == [{"name": "cookie", "value": REDACTED}]
    assert members["resources/page.html"].decode() == redact(LOGGED_IN_HEAD)
    assert members["resources/shot.png"] == PNG  # not UTF-8: copied byte for byte


def test_a_trace_zip_is_compressed(tmp_path: Path) -> None:
    source, target = tmp_path / "raw.zip", tmp_path / "out.zip"
    _zip(source, {"trace.trace": b"x" * 10_000})
    redact_trace(source, target)
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo("trace.trace")
    assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size < 1_000


def test_redact_accepts_any_iterable_of_secrets() -> None:
    def secrets() -> Iterator[str]:
        yield "s3cr3t-value"

    assert redact("a s3cr3t-value b", secrets()) == f"a {REDACTED} b"


# --- every spelling of a known value ------------------------------------------------------

# Shaped as MediaWiki makes them (includes/session/Token.php; User::getTokenFromOption), and a
# password with every character that HTML, URLs and JSON spell differently.
TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f96b0cb262+\\"
WLTOKEN = "2043d39c32a1d57202299e36c4f8b736740049c5"
SESSION = "4g0hh44oug2jun0r0hvqhjmlci1epobe"
PASSWORD = 'p&ss "w0rd" <x>+\\ \'é'
KNOWN = (TOKEN, WLTOKEN, SESSION, PASSWORD)


def spellings(value: str) -> dict[str, str]:
    """``value`` as each writer smoke meets writes it."""
    in_json = json.dumps(value, ensure_ascii=False)[1:-1]
    url = quote(value, safe="")
    return {
        "raw": value,
        "html": html.escape(value, quote=True),  # &amp; &quot; &#x27; &lt; &gt;
        "html-039": html.escape(value, quote=True).replace("&#x27;", "&#039;"),
        "html-39": html.escape(value, quote=True).replace("&#x27;", "&#39;"),
        "url": url,
        "url-lowercase": re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), url),
        "form": quote_plus(value),  # a space is "+", a "+" is %2B
        "json": in_json,  # +\\ inside JSON strings
        "json-ascii": json.dumps(value)[1:-1],  # é as \u00e9
        "json-in-json": json.dumps(in_json, ensure_ascii=False)[1:-1],  # +\\\\ in a trace event
        "u-escapes": "".join(
            c if c.isascii() and c.isalnum() else f"\\u{ord(c):04X}" for c in value
        ),
    }


@pytest.mark.parametrize("name", list(spellings("x")))
@pytest.mark.parametrize("secret", KNOWN, ids=["token", "wltoken", "session", "password"])
def test_a_known_secret_is_removed_in_every_spelling(secret: str, name: str) -> None:
    spelled = spellings(secret)[name]
    text = f"before {spelled} after"
    assert redact(text, KNOWN) == f"before {REDACTED} after"


@pytest.mark.parametrize("secret", KNOWN, ids=["token", "wltoken", "session", "password"])
def test_json_and_json_in_json_stay_valid_with_the_secret_gone(secret: str) -> None:
    inner = json.dumps({"html": f'<a href="?x={secret}">', "n": 1}, ensure_ascii=False)
    outer = json.dumps({"type": "frame-snapshot", "snapshot": inner, "after": "kept"})
    redacted = json.loads(redact(outer, KNOWN))
    assert redacted["after"] == "kept"
    assert json.loads(redacted["snapshot"]) == {"html": f'<a href="?x={REDACTED}">', "n": 1}


@pytest.mark.parametrize("name", list(spellings("x")))
def test_a_mediawiki_token_nobody_told_smoke_about_is_removed_by_its_shape(name: str) -> None:
    # Tokens embed the second they were made: pages loaded after the login carry values the
    # login never saw. The shape (32 hex, hex timestamp, "+\") gives them away.
    unseen = "ffeeddccbbaa99887766554433221100" + "6b0cb2ff+\\"
    assert redact(f"x {spellings(unseen)[name]} y") == f"x {REDACTED} y"


def test_a_shape_match_does_not_reach_into_ordinary_hex() -> None:
    text = (
        "sha1 2043d39c32a1d57202299e36c4f8b736740049c5 and frame@7893ddc7bb927b78939c5dd49b084336"
    )
    assert redact(text) == text  # no "+\": not a token (the watchlist token is caught by value)
