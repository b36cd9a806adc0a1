"""Every file smoke writes is redacted: evidence (files and Allure attachments), trace zips member
by member, the end-of-run pass over results, summary, junit, tracebacks and Allure results, and
the session secrets that feed them all.

Hand-built inputs; the secrets are spelled as each writer spells them (see test_redact.py).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import allure
import pytest

from smoke.browser.login import session_secrets
from smoke.model.checks import Check, Expectation, Page
from smoke.model.record import ConsoleMessage, PageError, PageRecord, SubRequest
from smoke.output import evidence
from smoke.output.redact import REDACTED, redact_trace, scrub_run

TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f96b0cb262+\\"
WLTOKEN = "2043d39c32a1d57202299e36c4f8b736740049c5"
SESSION = "4g0hh44oug2jun0r0hvqhjmlci1epobe"
PASSWORD = 'hunter2 "quoted" & more'
SECRETS = (TOKEN, WLTOKEN, SESSION, PASSWORD)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + SESSION.encode() + b"\xff\xfe"


def every_spelling(value: str) -> set[bytes]:
    in_json = json.dumps(value)[1:-1]
    return {
        value.encode(),
        value.replace("&", "&amp;").replace('"', "&quot;").encode(),
        quote(value, safe="").encode(),
        quote(value, safe="").lower().encode(),
        in_json.encode(),
        json.dumps(in_json)[1:-1].encode(),
        value[:32].encode(),  # a token's HMAC, however its "+\" is spelled
    }


def leaks(data: bytes) -> list[str]:
    return [s for s in SECRETS for form in every_spelling(s) if form in data]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def raw_trace(path: Path) -> None:
    head = f'mw.user.tokens.set({{"csrfToken":"{TOKEN}"}})'.replace("\\", "\\\\")
    page = (
        f"<script>{head}</script>"
        f'<input type="hidden" value="{TOKEN}" name="token"/>'
        f'<a href="?action=feedwatchlist&amp;wltoken={WLTOKEN}&amp;feedformat=atom">'
    )
    event = {"type": "frame-snapshot", "html": page, "note": f"{PASSWORD} {SESSION}"}
    network = {
        "type": "resource-snapshot",
        "snapshot": {
            "request": {
                "url": f"http://w.test/api.php?action=watch&token={quote(TOKEN, safe='')}",
                "headers": [{"name": "Cookie", "value": f"ruwiki_session={SESSION}"}],
                "postData": {"text": f"wpPassword={quote(PASSWORD)}&wpLoginToken=x"},
            }
        },
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("trace.trace", json.dumps(event) + "\n")
        archive.writestr("trace.network", json.dumps(network) + "\n")
        archive.writestr("resources/a.html", page)
        archive.writestr("resources/b.json", json.dumps({"query": {"tokens": {"csrf": TOKEN}}}))
        archive.writestr("resources/c.js", f'var t = "{TOKEN}";'.replace("\\", "\\\\"))
        archive.writestr("resources/d.txt", f"wltoken={WLTOKEN}".encode("latin-1") + b"\xe9")
        archive.writestr("resources/e.png", PNG)


# --- trace zips -------------------------------------------------------------------------------


def test_every_text_member_of_a_trace_is_redacted_and_images_kept(tmp_path: Path) -> None:
    source, target = tmp_path / "raw.zip", tmp_path / "trace.zip"
    raw_trace(source)
    assert redact_trace(source, target, SECRETS)
    assert not source.exists()
    kept = members(target)
    assert set(kept) == {f"trace.{n}" for n in ("trace", "network")} | {
        f"resources/{n}" for n in ("a.html", "b.json", "c.js", "d.txt", "e.png")
    }
    for name, data in kept.items():
        if name != "resources/e.png":
            assert not leaks(data), name
            assert REDACTED.encode() in data, name
    assert kept["resources/e.png"] == PNG  # an image is copied byte for byte
    assert kept["resources/d.txt"].endswith(b"\xe9")  # not UTF-8: read as Latin-1, kept so
    json.loads(kept["trace.trace"])  # still JSON


def test_a_trace_that_cannot_be_read_is_not_kept_and_the_raw_one_is_gone(tmp_path: Path) -> None:
    source, target = tmp_path / "raw.zip", tmp_path / "trace.zip"
    raw_trace(source)
    source.write_bytes(source.read_bytes()[:200])  # the browser died while writing it
    assert redact_trace(source, target, SECRETS) is False
    assert not source.exists() and not target.exists()


# --- evidence: files and Allure attachments ---------------------------------------------------


class FakeAttach:
    """allure.attach and allure.attach.file, recording what each attachment holds."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}

    def __call__(self, body: str, name: str, **_: Any) -> None:
        self.bodies[name] = body.encode()

    def file(self, source: str, name: str, **_: Any) -> None:
        self.bodies[name] = Path(source).read_bytes()


class EvidenceBrowser:
    def __init__(self, trace: bytes | None = None) -> None:
        self.trace = trace

    def screenshot(self, path: Path) -> bool:
        path.write_bytes(PNG)
        return True

    def save_trace(self, path: Path) -> bool:
        if self.trace is None:
            raw_trace(path)
        else:
            path.write_bytes(self.trace)
        return True


def logged_in_record() -> PageRecord:
    api = "http://w.test/api.php"
    return PageRecord(
        requested_url=f"http://w.test/index.php?title=Special:Watchlist&wltoken={WLTOKEN}",
        status=200,
        html=(
            f'<input type="hidden" value="{TOKEN}" name="token"/>'
            f"<p>&amp;wltoken={WLTOKEN}&amp;feedformat=atom</p><p>{PASSWORD}</p>"
        ),
        console=(
            ConsoleMessage(
                "error", "Failed to load resource", url=f"{api}?token={quote(TOKEN, safe='')}"
            ),
        ),
        page_errors=(PageError(f"session {SESSION}", stack=f"at {api}?wltoken={WLTOKEN}"),),
        subrequests=(SubRequest(f"{api}?action=watch&token={quote(TOKEN)}", status=500),),
    )


def a_check() -> Check:
    return Check(
        id="ruwiki/watchlist/plain",
        target="local",
        wiki="ruwiki",
        page=Page.WATCHLIST,
        variant="plain",
        url="http://w.test/index.php?title=Special:Watchlist",
        expectation=Expectation(page=Page.WATCHLIST),
    )


@pytest.fixture
def attached(monkeypatch: pytest.MonkeyPatch) -> FakeAttach:
    attach = FakeAttach()
    monkeypatch.setattr(
        evidence, "allure", SimpleNamespace(attach=attach, attachment_type=allure.attachment_type)
    )
    return attach


def test_evidence_files_and_their_allure_copies_hold_no_secret(
    tmp_path: Path, attached: FakeAttach
) -> None:
    kept = evidence.keep_evidence(
        tmp_path, a_check(), logged_in_record(), EvidenceBrowser(), SECRETS
    )
    assert set(kept) == {"screenshot", "trace", "html", "console", "record"}
    files = {key: (tmp_path / path).read_bytes() for key, path in kept.items()}
    for key, data in files.items():
        if key == "trace":
            for name, member in members(tmp_path / kept["trace"]).items():
                assert not leaks(member) or name.endswith(".png"), name
        elif key != "screenshot":
            assert not leaks(data), key
    # The attachments are the very same redacted bytes as the files.
    assert attached.bodies["page HTML"] == files["html"]
    assert attached.bodies["console log"] == files["console"]
    assert attached.bodies["Playwright trace"] == files["trace"]
    assert attached.bodies["screenshot"] == PNG
    # No raw trace anywhere: not among the artifacts, not in the private directory.
    assert not [p for p in tmp_path.rglob("*raw*")]


def test_a_broken_trace_costs_the_trace_only(tmp_path: Path, attached: FakeAttach) -> None:
    browser = EvidenceBrowser(trace=b"PK\x03\x04 truncated")
    kept = evidence.keep_evidence(tmp_path, a_check(), logged_in_record(), browser, SECRETS)
    assert "trace" not in kept and "Playwright trace" not in attached.bodies
    assert {"html", "console", "record"} <= set(kept)
    assert not [p for p in tmp_path.rglob("*.zip")]


def test_the_raw_trace_is_written_in_the_private_directory(tmp_path: Path) -> None:
    path = evidence.raw_trace_path(tmp_path)
    assert path.parent == tmp_path / ".auth"
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    assert path != evidence.raw_trace_path(tmp_path)  # one per trace, never reused


# --- the end-of-run pass ----------------------------------------------------------------------


def test_the_end_of_run_pass_redacts_what_was_written_without_redaction(tmp_path: Path) -> None:
    url = f"http://w.test/api.php?action=watch&amp;token={quote(TOKEN)}"
    written = {
        "results.json": json.dumps({"checks": [{"message": f"500 at {url}", "s": SESSION}]}),
        "summary.md": f"- failed: `{url}` ({json.dumps(PASSWORD)})",
        "junit.xml": f'<failure message="{url}">{WLTOKEN}</failure>',
        "tracebacks/gw0.log": f"=== check\nCredentials leaked: {PASSWORD}\n",
        "checks/0123.json": json.dumps({"error": {"message": f"wltoken={WLTOKEN}"}}),
        "allure-results/1-result.json": json.dumps({"statusDetails": {"message": url}}),
        "allure-results/2-attachment.txt": f"captured stdout: {SESSION}",
    }
    for name, text in written.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    # Written redacted already (by evidence) or no output at all: left alone by this pass.
    untouched = {
        ".auth/ruwiki.json": json.dumps({"cookies": [{"name": "s", "value": SESSION}]}),
        "artifacts/ruwiki__watchlist__plain/page.html": "<p>already redacted</p>",
    }
    for name, text in untouched.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    (tmp_path / "allure-results/3-attachment.png").write_bytes(PNG)

    assert scrub_run(tmp_path, SECRETS) == len(written)
    for name in written:
        assert not leaks((tmp_path / name).read_bytes()), name
    json.loads((tmp_path / "results.json").read_text("utf-8"))  # still JSON
    for name, text in untouched.items():
        assert (tmp_path / name).read_text("utf-8") == text
    assert (tmp_path / "allure-results/3-attachment.png").read_bytes() == PNG
    assert scrub_run(tmp_path, SECRETS) == 0  # a second pass finds nothing left


# --- the secrets of the run's sessions --------------------------------------------------------


def test_session_secrets_are_the_session_cookies_and_the_tokens_read_at_login(
    tmp_path: Path,
) -> None:
    auth = tmp_path / ".auth"
    auth.mkdir()
    state = {
        "cookies": [
            {"name": "ruwiki_session", "value": SESSION},
            {"name": "ruwikiToken", "value": "rememb3r-me"},
            {"name": "ruwikiUserName", "value": "SmokeCheck"},  # no secret
            {"name": "ruwikiUserID", "value": "3"},
        ]
    }
    (auth / "ruwiki.json").write_text(json.dumps(state), "utf-8")
    (auth / "ruwiki.secrets").write_text(json.dumps([TOKEN, WLTOKEN, ""]), "utf-8")
    (auth / "enwiki.json").write_text("{half a fi", "utf-8")  # being written: skipped
    (auth / "enwiki.failed").write_text("{}", "utf-8")
    assert set(session_secrets(tmp_path)) == {SESSION, "rememb3r-me", TOKEN, WLTOKEN}


def test_no_sessions_no_secrets(tmp_path: Path) -> None:
    assert session_secrets(tmp_path) == ()
    assert not os.path.exists(tmp_path / ".auth")  # asking creates nothing
