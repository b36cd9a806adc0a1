"""Nothing smoke writes holds a secret of its session, in any spelling.

A logged-in sweep of the farm's ruwiki (Watchlist needs the smoke account), failing on purpose
(the ``js-error`` fault) so that every attempt leaves evidence — screenshot, page HTML, console
log, record, Playwright trace — with ``--tracing retain-on-failure --screenshots always``. Then
every byte under the reports directory is read (zips opened, member by member) and searched.

Which secrets: the run deletes its sessions (``.auth/``) at its end, and a session of our own would
not do — MediaWiki's tokens are per session. So the run is given one more pytest plugin (``-p``,
after ``--``; nothing in smoke changes) that copies ``.auth/`` before smoke's own end-of-run hook
removes it. From that copy the test takes the session cookies, then reads the live values from
the wiki itself through that very session: ``meta=tokens&type=*``, the token options of
``meta=userinfo`` and the watchlist token of Special:ResetTokens. With the farm's password those
are searched raw, HTML-escaped, URL-encoded (either case, and form-encoded), JSON-escaped once
and twice, and as ``\\uXXXX`` escapes. A token embeds the second it was made (Token.php), so the
pages of the run carried values no later request returns: those are found by their timestamp —
every 32-hex HMAC followed by a hex time within the run, however its ``+\\`` is spelled.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import smoke_run

KEEP_AUTH_PLUGIN = '''
"""Copies the run's .auth/ for the test before smoke's own pytest_sessionfinish deletes it."""
import os
import shutil
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    if hasattr(session.config, "workerinput"):
        return  # xdist workers; the controller finishes the run
    source = Path(os.environ["SMOKE_TEST_AUTH_FROM"])
    if source.is_dir():
        shutil.copytree(source, os.environ["SMOKE_TEST_AUTH_TO"])
'''
TOKEN_TIME = re.compile(rb"[0-9a-f]{32}([0-9a-f]{8})")


def spellings(value: str) -> dict[str, bytes]:
    in_json = json.dumps(value, ensure_ascii=False)[1:-1]
    url = urllib.parse.quote(value, safe="")
    forms = {
        "raw": value,
        "html": html.escape(value, quote=True),
        "html-039": html.escape(value, quote=True).replace("&#x27;", "&#039;"),
        "url": url,
        "url-lowercase": re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), url),
        "form": urllib.parse.quote_plus(value),
        "json": in_json,
        "json-in-json": json.dumps(in_json, ensure_ascii=False)[1:-1],
        "u-escapes": "".join(c if c.isalnum() else f"\\u{ord(c):04x}" for c in value),
    }
    if re.fullmatch(r"[0-9a-f]{32,}\+\\", value):
        forms["hmac"] = value[:32]  # the token whatever its "+\" became
    return {name: form.encode("utf-8") for name, form in forms.items()}


def every_written_byte(root: Path) -> dict[str, bytes]:
    """Path (``a.zip!member`` inside zips) -> content, for every file under ``root``."""
    found: dict[str, bytes] = {}
    for directory, _dirs, files in os.walk(root):  # `latest` (a symlink) is not followed
        for name in files:
            path = Path(directory) / name
            if path.is_symlink():
                continue
            data = path.read_bytes()
            found[str(path.relative_to(root))] = data
            if data.startswith(b"PK\x03\x04"):
                with zipfile.ZipFile(BytesIO(data)) as archive:
                    for info in archive.infolist():
                        found[f"{path.relative_to(root)}!{info.filename}"] = archive.read(info)
    return found


def live_secrets(farm_state: FarmState, kept_auth: Path) -> dict[str, str]:
    """The session's cookies and every token the wiki hands that session now, by name."""
    wiki = farm_state.wikis["ruwiki"]
    state = json.loads((kept_auth / "ruwiki.json").read_text("utf-8"))
    cookies = {c["name"]: c["value"] for c in state["cookies"]}
    secrets = {"password": wiki.password()}
    secrets.update(
        {f"cookie {n}": v for n, v in cookies.items() if re.search("session|token", n, re.I)}
    )
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())

    def get(path: str) -> str:
        request = urllib.request.Request(wiki.url + path, headers={"Cookie": header})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return str(answer.read().decode("utf-8"))

    query = json.loads(
        get("/api.php?action=query&meta=tokens|userinfo&type=*&uiprop=options&format=json")
    )["query"]
    assert query["userinfo"]["name"] == "SmokeCheck"  # the run's session, still logged in
    secrets.update({f"live {name}": value for name, value in query["tokens"].items()})
    secrets.update(
        {f"option {n}": v for n, v in query["userinfo"]["options"].items() if "token" in n and v}
    )
    page = get("/index.php?title=Special:ResetTokens&uselang=qqx")
    wltoken = re.search(r"\(resettokens-watchlist-token\), ([0-9a-f]{40})\)", page)
    assert wltoken is not None
    secrets["watchlist token"] = wltoken.group(1)
    login_tokens = json.loads((kept_auth / "ruwiki.secrets").read_text("utf-8"))
    secrets.update({f"read at login {i}": value for i, value in enumerate(login_tokens)})
    return secrets


def test_a_logged_in_sweep_writes_no_secret_in_any_spelling(
    farm_state: FarmState,
    fault: Callable[..., None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fault("ruwiki", "js-error")
    plugin_dir, reports, kept_auth = tmp_path / "plugin", tmp_path / "reports", tmp_path / "auth"
    plugin_dir.mkdir()
    (plugin_dir / "smoke_test_keep_auth.py").write_text(KEEP_AUTH_PLUGIN, "utf-8")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(plugin_dir), os.getenv("PYTHONPATH")]))
    )
    monkeypatch.setenv("SMOKE_TEST_AUTH_FROM", str(reports / "run" / ".auth"))
    monkeypatch.setenv("SMOKE_TEST_AUTH_TO", str(kept_auth))
    started = time.time()
    out = smoke_run(
        farm_state,
        reports,
        "--wiki",
        "ruwiki",
        "--page",
        "watchlist",
        "--page",
        "recentchanges",
        "--variant",
        "plain",
        "--tracing",
        "retain-on-failure",
        "--screenshots",
        "always",
        "--",
        "-p",
        "smoke_test_keep_auth",
    )
    finished = time.time()
    assert out.code == 1, out.stdout[-3000:] + out.stderr[-2000:]
    assert out.by_outcome("failed") == {"ruwiki/watchlist/plain", "ruwiki/recentchanges/plain"}
    assert not (out.run_dir / ".auth").exists()  # the sessions are gone with the run

    secrets = live_secrets(farm_state, kept_auth)
    written = every_written_byte(reports)
    assert sum(".zip!" in name for name in written) > 20  # traces of every attempt, opened

    leaks = [
        f"{secret} ({spelling}) in {path}"
        for secret, value in secrets.items()
        for spelling, form in spellings(value).items()
        for path, data in written.items()
        if form in data
    ]
    assert leaks == []

    # The tokens of the run's pages, whatever second made them: none left, in any spelling.
    window = range(int(started) - 5, int(finished) + 5)
    timestamped = [
        f"{match.group(0)[:12].decode()}… in {path}"
        for path, data in written.items()
        for match in TOKEN_TIME.finditer(data)
        if int(match.group(1), 16) in window
    ]
    assert timestamped == []
    # …and that search would have found them: the tokens read at login have that very shape.
    login_tokens = [v for k, v in secrets.items() if k.startswith("read at login")]
    assert len(login_tokens) >= 8  # seven token types and the watchlist token
    assert any(
        (m := TOKEN_TIME.match(t.encode())) and int(m.group(1), 16) in window for t in login_tokens
    )

    # Where the secrets were, the redaction markers are. The Watchlist page held its csrfToken
    # and wltoken (page.html is the DOM after the filters app, which drops the "mark all pages
    # visited" form); its trace holds that form's hidden token, in the HTML resource and the DOM
    # snapshot, in the artifacts' trace and in the Allure copy alike.
    page = next(
        data.decode("utf-8")
        for path, data in written.items()
        if path.endswith("ruwiki__watchlist__plain/page.html")
    )
    assert '"csrfToken":"<redacted>"' in page
    assert "&amp;wltoken=<redacted>&amp;" in page
    for where in ("artifacts/ruwiki__watchlist__plain/trace.zip", "allure-results/"):
        members = {p: d for p, d in written.items() if where in p and ".zip!" in p}
        forms = {p: d for p, d in members.items() if b"mw-watchlist-resetbutton" in d}
        assert any(b'value="<redacted>" name="token"' in d for d in forms.values()), where
        # A DOM snapshot holds the form only when it was taken before the filters app dropped
        # it (timing); where one does, its token is redacted there too.
        snapshots = {p: d for p, d in forms.items() if p.endswith(".trace")}
        for path, data in snapshots.items():
            assert b'"value":"<redacted>","name":"token"' in data, path
    assert not [path for path in written if "raw" in Path(path.split("!")[0]).name]
