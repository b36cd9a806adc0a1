"""The real Prometheus Pushgateway and Alertmanager from Debian's packages, started by the tests
on free loopback ports with temporary storage (the packages' own services are never used: there
may be no systemd, and a shared machine's 9091/9093 belong to no one in particular)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

MINIMAL_ALERTMANAGER = """\
route:
  receiver: "null"
  group_by: [alertname, target, cause]
receivers:
  - name: "null"
"""


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:  # a setup step is missing: fail, never skip
        pytest.fail(f"{tool} is missing: `./run tests` installs it (see ./run, `tests`)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=5) as response:
            body: bytes = response.read()
            return body

    def get_json(self, path: str) -> Any:
        return json.loads(self.get(path))

    def post_json(self, path: str, body: Any) -> None:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()


@contextmanager
def serving(argv: list[str], port: int, log: Path, ready: str = "/-/ready") -> Iterator[Server]:
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{argv[0]} exited {proc.returncode}:\n{log.read_text()}")
            try:
                server.get(ready)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{argv[0]} not ready in 30 s:\n{log.read_text()}")
                time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@contextmanager
def pushgateway(tmp: Path) -> Iterator[Server]:
    port = free_port()
    argv = [need("prometheus-pushgateway"), f"--web.listen-address=127.0.0.1:{port}"]
    with serving(argv, port, tmp / "pushgateway.log") as server:
        yield server


@contextmanager
def alertmanager(tmp: Path, config: str = MINIMAL_ALERTMANAGER) -> Iterator[Server]:
    port = free_port()
    (tmp / "alertmanager.yml").write_text(config)
    (tmp / "am-data").mkdir(exist_ok=True)
    argv = [
        need("prometheus-alertmanager"),
        f"--config.file={tmp / 'alertmanager.yml'}",
        f"--storage.path={tmp / 'am-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",  # no gossip port: one Alertmanager, alone
    ]
    with serving(argv, port, tmp / "alertmanager.log") as server:
        yield server


def smoke_alerts(server: Server, active: bool = True) -> list[dict[str, Any]]:
    """smoke's alerts Alertmanager holds (active ones by default)."""
    flag = "true" if active else "false"
    alerts = server.get_json(
        f"/api/v2/alerts?active={flag}&filter=alertname%3D%22SmokeRootCause%22"
    )
    return [a for a in alerts if a["labels"].get("alertname") == "SmokeRootCause"]
