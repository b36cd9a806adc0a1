"""Delivering: what users type, credentials kept out of messages, and the notifier's memory of
open alerts between runs (against an in-process HTTP stub; the real servers are in
tests/integration/test_notify_servers.py)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from smoke.cli.main import main
from smoke.model.values import BadValue
from smoke.notify.metrics import RunFacts
from smoke.notify.notifier import STATE_FILE, Notifier, previous_open
from smoke.notify.send import post_alerts, split_credentials
from smoke.notify.settings import (
    NotifySettings,
    parse_http_url,
    parse_metrics_file,
    parse_report_url,
    shown_url,
)
from tests.unit.notify_records import check


class Stub(ThreadingHTTPServer):
    received: list[tuple[str, str, dict[str, str], Any]]


class Handler(BaseHTTPRequestHandler):
    server: Stub

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"null")
        self.server.received.append((self.command, self.path, dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[Stub]:
    server = Stub(("127.0.0.1", 0), Handler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_urls_users_type() -> None:
    assert parse_http_url("http://127.0.0.1:9093") == "http://127.0.0.1:9093"
    for bad in ("ftp://host", "localhost:9093", "http://", "http://host:99999"):
        with pytest.raises(BadValue):
            parse_http_url(bad)
    assert parse_report_url("https://r.example/{run_id}/") == "https://r.example/{run_id}/"


def test_metrics_file_users_type(tmp_path: Path) -> None:
    assert parse_metrics_file(str(tmp_path / "smoke.prom")) == tmp_path / "smoke.prom"
    with pytest.raises(BadValue, match="does not exist"):
        parse_metrics_file(str(tmp_path / "nope" / "smoke.prom"))
    with pytest.raises(BadValue, match=r"\.prom"):
        parse_metrics_file(str(tmp_path / "smoke.txt"))
    with pytest.raises(BadValue, match="directory"):
        parse_metrics_file(str(tmp_path))


def test_credentials_never_shown() -> None:
    url = "https://smoke:s3cr%40t@am.example:9093/base?token=abc"
    assert shown_url(url) == "https://am.example:9093/base"
    bare, credentials = split_credentials(url)
    assert bare == "https://am.example:9093/base?token=abc"
    assert credentials == ("smoke", "s3cr@t")


def test_bad_option_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["run", "--metrics", str(tmp_path / "missing" / "smoke.prom")],
        ["watch", "--alertmanager", "am.example:9093"],
        ["run", "--pushgateway", "http://user:hunter2@:9091"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 4
        err = capsys.readouterr().err
        assert argv[1] in err and "hunter2" not in err


def test_post_alerts_sends_basic_auth_from_the_url(stub: Stub) -> None:
    port = stub.server_address[1]
    assert post_alerts(f"http://smoke:pw@127.0.0.1:{port}/am", [{"labels": {}}], 2.0) is None
    ((method, path, headers, body),) = stub.received
    assert (method, path, body) == ("POST", "/am/api/v2/alerts", [{"labels": {}}])
    assert headers["Authorization"] == "Basic c21va2U6cHc="


def test_unreachable_alertmanager_is_one_line_without_credentials() -> None:
    line = post_alerts(f"http://u:hunter2@127.0.0.1:{closed_port()}", [{}], 2.0)
    assert line is not None and "\n" not in line
    assert "refused" in line.lower() and "hunter2" not in line


def facts(checks: list[dict[str, Any]]) -> RunFacts:
    return RunFacts("beta", "run", checks, 1.0, 2.0, 1.0)


FAILING = [check("ruwiki", "recentchanges", "plain", "failed")]
HEALED = [check("ruwiki", "recentchanges", "plain", "passed")]


def notifier(reports: Path, run: str, url: str, lines: list[str]) -> Notifier:
    run_dir = reports / run
    run_dir.mkdir(parents=True)
    settings = NotifySettings(alertmanager=url)
    return Notifier(
        settings, target="beta", command="run", run_dir=run_dir, hold_s=600, say=lines.append
    )


def test_the_next_run_resolves_what_the_last_run_fired(stub: Stub, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{stub.server_address[1]}"
    lines: list[str] = []
    assert notifier(tmp_path, "one", url, lines).publish(facts(FAILING)) == []
    assert notifier(tmp_path, "two", url, lines).publish(facts(HEALED)) == []
    fired, resolved = (body for _, _, _, body in stub.received)
    assert fired[0]["labels"] == resolved[0]["labels"]
    assert fired[0]["endsAt"] > resolved[0]["endsAt"]
    assert previous_open(tmp_path, "beta", tmp_path / "three") == []
    # Nothing open and nothing failing: Alertmanager is not bothered.
    notifier(tmp_path, "three", url, lines).publish(facts(HEALED))
    assert len(stub.received) == 2 and lines == []


def test_resolutions_not_delivered_are_sent_by_the_next_run(stub: Stub, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{stub.server_address[1]}"
    down = f"http://127.0.0.1:{closed_port()}"
    lines: list[str] = []
    notifier(tmp_path, "one", url, lines).publish(facts(FAILING))
    (warning,) = notifier(tmp_path, "two", down, lines).publish(facts(HEALED))
    assert warning.startswith("warning: alerts not sent (0 firing, 1 resolved: cause-")
    assert lines == [warning]
    state = json.loads((tmp_path / "two" / STATE_FILE).read_text())
    assert state["last_alerts"]["delivered"] is False and len(state["alerts_open"]) == 1
    notifier(tmp_path, "three", url, lines).publish(facts(HEALED))
    fired, resolved = stub.received[0][3], stub.received[-1][3]
    assert [a["labels"] for a in resolved] == [a["labels"] for a in fired]
    assert resolved[0]["endsAt"] < fired[0]["endsAt"]
    assert json.loads((tmp_path / "three" / STATE_FILE).read_text())["alerts_open"] == []


def test_other_targets_are_left_alone(stub: Stub, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{stub.server_address[1]}"
    lines: list[str] = []
    notifier(tmp_path, "one", url, lines).publish(facts(FAILING))
    assert previous_open(tmp_path, "staging", tmp_path / "two") == []
    assert len(previous_open(tmp_path, "beta", tmp_path / "two")) == 1
