"""What a report says about its run: "Metadata" (smoke.finished.report.environment, with the
siteinfo and API lookups of smoke.output.environment it relies on) and the run's start
(smoke.finished.report.run_data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smoke.finished.report.environment import environment_info, properties_text
from smoke.finished.report.run_data import run_started_ms
from smoke.output.environment import api_url, siteinfo_version


def test_api_url_from_check_urls() -> None:
    assert (
        api_url("http://127.0.0.1:8481/index.php?title=Special:RecentChanges&damaging=likelybad")
        == "http://127.0.0.1:8481/api.php"
    )
    assert (
        api_url("https://en.wikipedia.beta.wmcloud.org/w/index.php?title=Special:Watchlist")
        == "https://en.wikipedia.beta.wmcloud.org/w/api.php"
    )
    assert api_url("https://en.wikipedia.org/wiki/Special:RecentChanges") is None
    assert api_url("file:///index.php") is None


def test_environment_asks_siteinfo_of_one_wiki_when_the_run_did_not_record_it() -> None:
    asked: list[str] = []

    def version_of(api: str) -> str:
        asked.append(api)
        return "1.39.4"

    checks = [
        ("ruwiki", "http://127.0.0.1:8482/index.php?title=X"),
        ("enwiki", "http://127.0.0.1:8481/index.php?title=X"),
    ]
    info = environment_info(
        "r1",
        {"target": "local", "smoke_version": "0.1.0"},
        checks,
        [],
        version_of=version_of,
        commit=lambda: "abc1234",
    )
    assert asked == ["http://127.0.0.1:8482/api.php"]
    assert info == {
        "target": "local",
        "wikis": "enwiki, ruwiki",
        "MediaWiki": "1.39.4 (ruwiki, asked at report time)",
        "smoke": "0.1.0",
        "git": "abc1234 (at report time)",
        "run": "r1",
    }


def test_environment_recorded_by_the_run_wins_and_nothing_is_asked() -> None:
    def version_of(api: str) -> str:
        raise AssertionError("siteinfo must not be asked")

    info = environment_info(
        "r1",
        {
            "target": "beta",
            "smoke_version": "0.1.0",
            "environment": {"mediawiki": "1.43.0-wmf.1", "git": "0ff1ce", "browser": "Chrome 130"},
        },
        [("enwiki", "https://en.example.org/w/index.php?title=X")],
        [],
        version_of=version_of,
        commit=lambda: None,
    )
    assert info["MediaWiki"] == "1.43.0-wmf.1"
    assert info["git"] == "0ff1ce"
    assert info["browser"] == "Chrome 130"
    assert "mediawiki" not in info  # not repeated under the recorded spelling


def test_environment_tolerates_a_wiki_that_does_not_answer() -> None:
    def version_of(api: str) -> str:
        raise OSError("timed out")

    notes: list[str] = []
    info = environment_info(
        "r1",
        {},
        [("enwiki", "http://127.0.0.1:9/index.php?title=X")],
        [{"labels": [{"name": "target", "value": "local"}]}],
        version_of=version_of,
        commit=lambda: None,
        notes=notes,
    )
    assert info["MediaWiki"] == "unknown"
    assert info["target"] == "local"  # from the Allure labels when results.json lacks it
    assert "git" not in info
    assert notes == ["MediaWiki version unknown: siteinfo of enwiki failed: timed out"]


def test_siteinfo_version_times_out_quickly_on_a_silent_server() -> None:
    import socket
    import time

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)  # accepts the connection, never answers
        port = server.getsockname()[1]
        began = time.monotonic()
        with pytest.raises(OSError):
            siteinfo_version(f"http://127.0.0.1:{port}/api.php", timeout=0.5)
        assert time.monotonic() - began < 5


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b'{"query": {"general": {"generator": "MediaWiki 1.39.4"}}}', "1.39.4"),
        (200, b'{"query": []}', ValueError),
        (200, b"<html>not json</html>", ValueError),
        (500, b"oops", OSError),
    ],
)
def test_siteinfo_version_reads_the_generator(
    status: int, body: bytes, expected: str | type[Exception]
) -> None:
    import http.server
    import threading

    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path + " " + (self.headers.get("User-Agent") or ""))
            self.send_response(status)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    api = f"http://127.0.0.1:{server.server_address[1]}/w/api.php"
    try:
        if isinstance(expected, str):
            assert siteinfo_version(api) == expected
        else:
            with pytest.raises(expected):
                siteinfo_version(api)
    finally:
        thread.join(5)
        server.server_close()
    assert seen[0].startswith("/w/api.php?action=query&meta=siteinfo&siprop=general&format=json ")
    assert " smoke/" in " " + seen[0].split(" ", 1)[1]


def test_properties_text_escapes_what_properties_files_treat_specially() -> None:
    text = properties_text({"a key=x:y": " lead\\ing\nnext", "MediaWiki": "1.39.4"})
    assert text == "a\\ key\\=x\\:y=\\ lead\\\\ing\\nnext\nMediaWiki=1.39.4\n"


def test_run_start_from_results_json_when_no_check_recorded_one(tmp_path: Path) -> None:
    meta = {"started_at": "2026-11-20T10:00:00+00:00"}
    assert run_started_ms([], tmp_path, meta) == 1_795_168_800_000
    assert run_started_ms([{"start": 5}, {"start": 3}], tmp_path, meta) == 3
