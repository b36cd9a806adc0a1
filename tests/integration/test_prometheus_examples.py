"""examples/prometheus/ as it stands: the rules pass `promtool check rules` and their tests
(series shaped like smoke's output), the Alertmanager config passes `amtool check-config`, and
the real Alertmanager with that config delivers a smoke alert, then its resolution, to the
webhook receiver (no farm, no browser: a few seconds)."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from smoke.notify.alerts import alerts_for, looked_at, payload, plan_alerts
from tests.integration.prom_servers import alertmanager, need
from tests.integration.runner_helpers import ROOT
from tests.unit.notify_records import check

pytestmark = pytest.mark.integration

EXAMPLES = ROOT / "examples" / "prometheus"


def tool(*argv: str) -> str:
    result = subprocess.run(
        [need(argv[0]), *argv[1:]], cwd=EXAMPLES, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_rules_check_and_pass_their_tests() -> None:
    assert "SUCCESS: 3 rules found" in tool("promtool", "check", "rules", "smoke-rules.yml")
    assert "SUCCESS" in tool("promtool", "test", "rules", "smoke-rules.test.yml")


def test_alertmanager_config_checks() -> None:
    assert "SUCCESS" in tool("amtool", "check-config", "alertmanager.yml")


class Webhook(ThreadingHTTPServer):
    received: list[dict[str, Any]]


class Receive(BaseHTTPRequestHandler):
    server: Webhook

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.server.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    server = Webhook(("127.0.0.1", 0), Receive)
    server.received = []
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def wait_for(webhook: Webhook, status: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in list(webhook.received):
            if message.get("status") == status:
                return message
        time.sleep(0.2)
    raise AssertionError(f"no {status} notification within {timeout} s: {webhook.received}")


def test_the_route_delivers_a_cause_and_its_resolution(webhook: Webhook, tmp_path: Path) -> None:
    config = yaml.safe_load((EXAMPLES / "alertmanager.yml").read_text())
    hook = f"http://127.0.0.1:{webhook.server_address[1]}/irc/wikimedia-smoke"
    config["receivers"][1]["webhook_configs"][0]["url"] = hook
    for route in config["route"]["routes"]:  # the timings only: seconds, not minutes
        route["group_wait"], route["group_interval"] = "1s", "1s"
    failing = [check("ruwiki", "recentchanges", "plain", "failed")]
    healed = [check("ruwiki", "recentchanges", "plain", "passed")]
    with alertmanager(tmp_path, yaml.safe_dump(config)) as am:
        now = datetime.now(UTC)
        fired = alerts_for("beta", failing, "https://smoke.example/r/1/summary.md", now.isoformat())
        am.post_json("/api/v2/alerts", payload(plan_alerts([], fired, set()), now, 3600))
        message = wait_for(webhook, "firing")
        (alert,) = message["alerts"]
        assert alert["labels"]["cause"] == fired[0].labels["cause"]
        assert alert["labels"]["wiki"] == "ruwiki" and alert["labels"]["target"] == "beta"
        assert message["groupLabels"] == {"target": "beta", "cause": fired[0].labels["cause"]}
        assert alert["generatorURL"] == "https://smoke.example/r/1/summary.md"
        later = datetime.now(UTC)
        resolved = plan_alerts(fired, [], looked_at(healed))
        am.post_json("/api/v2/alerts", payload(resolved, later, 3600))
        message = wait_for(webhook, "resolved")
        assert message["alerts"][0]["labels"]["cause"] == fired[0].labels["cause"]
