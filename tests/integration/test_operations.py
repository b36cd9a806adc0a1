"""Operations features on the real farm: retries/flaky, known issues, budgets, politeness,
--resolve, remote browsers, and no secrets in anything a logged-in run writes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smoke.browser.chromium import find_chromium
from smoke.testbed.state import FarmState
from tests.integration.conftest import free_port_block
from tests.integration.runner_helpers import ROOT, smoke_run

SHIPPED = (ROOT / "wikis.yaml").read_text()
# The remote browsers: the one smoke itself would start here (the headless shell where Debian has
# it, lighter than the full Chromium).
CHROMIUM = find_chromium(None).executable or "/usr/bin/chromium"
PLAYWRIGHT_DRIVER = Path(str(__import__("playwright").__file__)).parent / "driver"


def config_with(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "wikis.yaml"
    path.write_text(SHIPPED.rstrip() + "\n\n" + extra)
    return path


def max_overlap(log: Path, since: float) -> int:
    """Most special-page requests in flight at once, from the wiki's own request log."""
    events: list[tuple[float, int]] = []
    for line in log.read_text().splitlines():
        start, end = (float(x) for x in line.split()[:2])
        if start >= since:
            events += [(start, 1), (end, -1)]
    current = peak = 0
    for _, delta in sorted(events):  # an end sorts before a start at the same instant
        current += delta
        peak = max(peak, current)
    return peak


def test_flaky_check_passes_on_retry_and_is_reported(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    fault("enwiki", "flaky")
    args = ("--wiki", "enwiki", "--page", "recentchanges", "--variant", "plain", "-n", "1")
    out = smoke_run(farm_state, tmp_path, *args, run_id="flaky")
    assert out.code == 0, out.stdout[-2000:]
    check = out.check("enwiki/recentchanges/plain")
    assert check["outcome"] == "flaky"
    assert [a["outcome"] for a in check["attempts"]] == ["failed", "passed"]
    assert "RuntimeException" in check["attempts"][0]["first_problem"]
    assert (out.run_dir / check["attempts"][0]["artifacts"]["html"]).exists()
    assert "Flaky" in (out.run_dir / "summary.md").read_text()
    strict = smoke_run(farm_state, tmp_path, *args, "--fail-on-flaky", run_id="strict")
    assert strict.code == 1
    assert strict.check("enwiki/recentchanges/plain")["outcome"] == "flaky"


def test_known_issues_quarantine_expire_and_stop_failing(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    fault("ruwiki", "js-error")
    fault("frwiki", "js-error")
    config = config_with(
        tmp_path,
        """\
known_issues:
  - {task: T100001, wiki: ruwiki, detector: javascript, reason: "fault under investigation"}
  - {task: T100002, wiki: frwiki, detector: javascript, expires: 2020-01-31}
  - {task: T100003, wiki: enwiki, page: recentchanges, variant: plain}
""",
    )
    out = smoke_run(
        farm_state,
        tmp_path,
        "--wiki",
        "ruwiki",
        "--wiki",
        "frwiki",
        "--wiki",
        "enwiki",
        "--page",
        "recentchanges",
        "--variant",
        "plain",
        config=config,
    )
    assert out.code == 1  # frwiki's quarantine expired: that failure counts again
    ru = out.check("ruwiki/recentchanges/plain")
    assert ru["outcome"] == "known"
    assert ru["known_issue"]["url"] == "https://phabricator.wikimedia.org/T100001"
    fr = out.check("frwiki/recentchanges/plain")
    assert fr["outcome"] == "failed"
    assert any(
        f["detector"] == "known-issues" and "T100002" in f["message"] for f in fr["findings"]
    )
    en = out.check("enwiki/recentchanges/plain")
    assert en["outcome"] == "passed" and en["known_issues_stopped_failing"] == ["T100003"]
    summary = (out.run_dir / "summary.md").read_text()
    assert "T100001" in summary and "T100003 no longer fails" in summary
    assert "known issue T100001" in ET.tostring(out.junit(), encoding="unicode")


def test_budget_overrun_is_a_finding(farm_state: FarmState, tmp_path: Path) -> None:
    config = config_with(tmp_path, "budgets:\n  contributions: {load_ms: 1}\n")
    log = Path(farm_state.wikis["enwiki"].dir) / "requests.log"
    since = time.time()
    out = smoke_run(
        farm_state,
        tmp_path,
        "--wiki",
        "enwiki",
        "--page",
        "contributions",
        "--variant",
        "plain",
        "--retries",
        "0",
        config=config,
    )
    # Politeness: the wiki saw a User-Agent naming smoke and the contact from wikis.yaml.
    agents = [
        line.split(" ", 4)[4]
        for line in log.read_text().splitlines()
        if float(line.split()[0]) >= since
    ]
    assert agents and all("smoke/0.1.0" in a and "phabricator.wikimedia.org" in a for a in agents)
    assert out.code == 1
    findings = out.check("enwiki/contributions/plain")["findings"]
    assert [f["detector"] for f in findings] == ["budget"]
    assert "over the budget of 1 ms" in findings[0]["message"]


def test_per_host_cap_holds_across_workers(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    """Four workers, a cap of three: exactly three slow loads in flight at the peak. More would
    be the cap ignored; fewer, a cap off by one (or a measurement that cannot see it)."""
    fault("enwiki", "slow", delay=2)
    log = Path(farm_state.wikis["enwiki"].dir) / "requests.log"
    since = time.time()
    out = smoke_run(
        farm_state,
        tmp_path,
        "--wiki",
        "enwiki",
        "--page",
        "recentchanges",
        "--variant",
        "damaging=*",
        "--variant",
        "goodfaith=*",
        "-n",
        "4",
        "--max-per-host",
        "3",
        "--navigation-timeout",
        "30",
        run_id="cap3",
    )
    assert out.code == 0, out.stdout[-2000:]
    assert max_overlap(log, since) == 3


def test_resolve_keeps_the_host_name_and_connects_to_the_given_address(
    farm_state: FarmState, tmp_path: Path
) -> None:
    wiki = farm_state.wikis["enwiki"]
    os.environ["SMOKE_T_USER"] = wiki.account
    os.environ["SMOKE_T_PASSWORD"] = wiki.password()
    config = tmp_path / "made-up.yaml"
    config.write_text(f"""\
targets:
  canary:
    login: {{username_env: SMOKE_T_USER, password_env: SMOKE_T_PASSWORD}}
    contributions_user: Alice
    wikis:
      - {{id: enwiki, ores: [damaging, goodfaith], url: "http://enwiki.smoke-canary.invalid:{wiki.port}"}}
""")
    args = ("--target", "canary", "--variant", "plain", "--variant", "damaging=likelybad")
    out = smoke_run(
        farm_state,
        tmp_path,
        *args,
        "--resolve",
        "*.smoke-canary.invalid=127.0.0.1",
        config=config,
        run_id="resolved",
    )
    assert out.code == 0, out.stdout[-3000:]
    for check in out.results["checks"]:
        assert check["final_url"].startswith("http://enwiki.smoke-canary.invalid:")
    # Loopback after --resolve: one local worker (plan/workers.py), where a remote target gets 4.
    assert ", 1 worker, " in out.stderr
    unresolved = smoke_run(
        farm_state, tmp_path, *args, "-n", "1", config=config, run_id="unresolved"
    )
    assert unresolved.code == 3  # could not check: the made-up name does not resolve


@pytest.fixture
def playwright_server() -> Iterator[str]:
    port = free_port_block(1, start=23000)
    proc = subprocess.Popen(
        [
            str(PLAYWRIGHT_DRIVER / "node"),
            str(PLAYWRIGHT_DRIVER / "package" / "cli.js"),
            "run-server",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--unsafe",
        ],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    assert "Listening on" in proc.stdout.readline()
    yield f"ws://127.0.0.1:{port}/"
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)


@pytest.fixture
def cdp_chromium(tmp_path: Path) -> Iterator[str]:
    profile = tmp_path / "profile"
    proc = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--disable-background-networking",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while not port_file.exists() or not port_file.read_text().strip():
        assert time.monotonic() < deadline, "Chromium did not open its debugging port"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port_file.read_text().splitlines()[0]}"
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)


def test_remote_playwright_server(
    farm_state: FarmState, tmp_path: Path, playwright_server: str
) -> None:
    out = smoke_run(
        farm_state,
        tmp_path,
        "--wiki",
        "frwiki",
        "--variant",
        "plain",
        "--browser-endpoint",
        playwright_server,
        "--browser-path",
        CHROMIUM,  # on the server's machine
        "-n",
        "1",
    )
    assert out.code == 0, out.stdout[-3000:]
    assert len(out.by_outcome("passed")) == 3  # RC, WL (logged in), Contributions
    assert f"the browser at {playwright_server}" in out.stderr + out.stdout


def test_remote_chromium_over_cdp(farm_state: FarmState, tmp_path: Path, cdp_chromium: str) -> None:
    out = smoke_run(
        farm_state,
        tmp_path,
        "--wiki",
        "ruwiki",
        "--variant",
        "plain",
        "--cdp-endpoint",
        cdp_chromium,
        "-n",
        "1",
    )
    assert out.code == 0, out.stdout[-3000:]
    assert len(out.by_outcome("passed")) == 3


def test_no_secret_in_anything_a_logged_in_run_writes(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    """Greps every file of a logged-in run (inside trace zips too) for the password and the
    session cookie values, which the test reads from the run's shared session while it runs."""
    fault("enwiki", "js-error")  # failed checks: evidence and traces are written
    run_dir = tmp_path / "secrets"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smoke.cli.main",
            "run",
            "--testbed-dir",
            farm_state.state_dir,
            "--reports-dir",
            str(tmp_path),
            "--run-id",
            "secrets",
            "--wiki",
            "enwiki",
            "--page",
            "watchlist",
            "--variant",
            "plain",
            "--variant",
            "damaging=likelybad",
            "--screenshots",
            "always",
            "--retries",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    cookies: set[str] = set()
    while proc.poll() is None:
        for session in (run_dir / ".auth").glob("*.json"):
            try:
                state = json.loads(session.read_text())
            except (OSError, ValueError):
                continue
            cookies |= {
                c["value"]
                for c in state["cookies"]
                if "session" in c["name"].lower() or "token" in c["name"].lower()
            }
        time.sleep(0.05)
    stdout, stderr = proc.communicate()
    assert proc.returncode == 1, stdout[-2000:]
    assert cookies, "the run never shared a login session"
    secrets = [farm_state.wikis["enwiki"].password(), *cookies]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"page.html", "console.log", "trace.zip", "screenshot.png"} <= names
    token = re.compile(rb'"csrfToken"\s*:\s*"[0-9a-f]{16,}')
    for path in files:
        blobs = [path.read_bytes()]
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                blobs += [archive.read(name) for name in archive.namelist()]
        for blob in blobs:
            for secret in secrets:
                assert secret.encode() not in blob, (path, secret[:4])
            assert not token.search(blob), path
    for secret in secrets:
        assert secret not in stdout and secret not in stderr
    assert not (run_dir / ".auth").exists()
