"""A watch writes no secret: the last redaction pass runs at the end of a watch as of a run.

A scripted pool (no browser, no farm) stands in for the watch's workers: the checks of round 2
fail with a finding whose message holds the run's password, a login session's cookie value and a
MediaWiki-shaped token, and a worker's traceback file holds them too. Every byte the watch wrote
under the reports directory, and what it printed, is then searched for the three. (Before the
watch finished through the one end of run, the password was found in junit.xml, results.json,
summary.md and tracebacks/.)
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from smoke.config import parse_config
from smoke.judge.detectors import ALL_DETECTORS
from smoke.model.checks import Check, Expectation, Page
from smoke.output.results import result_for
from smoke.output.run_dir import AUTH_DIR
from smoke.plan.planner import Plan, PlanOptions
from smoke.watch import loop
from smoke.watch.loop import WatchRequest, run_watch
from smoke.watch.pool import Done
from smoke.watch.worker import Task

PASSWORD = "pw-Quokka-7741"
COOKIE = "c0ffee-session-b16b00b5"
TOKEN = "0123456789abcdef0123456789abcdef" + "65a1b2c3+\\"
CONFIG = """\
targets:
  t:
    url: "http://127.0.0.1:9/{id}"
    wikis: [{id: enwiki, ores: []}]
"""
CHECK = "enwiki/recentchanges/plain"


class LeakyPool:
    """Answers round 1 passed, later rounds failed with the secrets in the finding's message."""

    def __init__(self, settings: Any, size: int, checks: dict[str, Check]) -> None:
        self.run_dir: Path = settings.run_dir
        self.checks = checks
        self.tasks: list[Task] = []
        self.browsers_started = self.workers_started = 1

    def start(self) -> None:
        auth = self.run_dir / AUTH_DIR
        auth.mkdir(mode=0o700, exist_ok=True)
        session = {"cookies": [{"name": "enwiki_session", "value": COOKIE}]}
        (auth / "enwiki-user.json").write_text(json.dumps(session))

    def submit(self, task: Task) -> None:
        self.tasks.append(task)

    def next_done(self, timeout: float) -> Done | None:
        if not self.tasks:
            return None
        task = self.tasks.pop(0)
        failed = task.round > 1
        message = f"server said: password={PASSWORD} cookie {COOKIE} token {TOKEN}"
        findings = [{"detector": "server-error", "message": message}] if failed else []
        result = result_for(
            self.checks[task.check_id], "failed" if failed else "passed", findings=findings
        )
        if failed:
            tracebacks = self.run_dir / "tracebacks"
            tracebacks.mkdir(exist_ok=True)
            (tracebacks / "w1.log").write_text(f"=== {task.check_id}\nValueError: {message}\n")
        return Done(task.round, task.check_id, asdict(result))

    def stop(self, *, grace_s: float = 0.0) -> list[Done]:
        return []


class FoundBrowser:
    def describe(self) -> str:
        return "a scripted browser"


def test_no_secret_survives_in_what_a_watch_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(loop, "WorkerPool", LeakyPool)
    monkeypatch.setattr(loop, "find_chromium", lambda *a, **k: FoundBrowser())
    check = Check(
        id=CHECK,
        target="t",
        wiki="enwiki",
        page=Page.RECENTCHANGES,
        variant="plain",
        url="http://127.0.0.1:9/enwiki/rc",
        expectation=Expectation(Page.RECENTCHANGES),
    )
    plan = Plan(
        options=PlanOptions(config_path=Path("x.yaml"), target="t"),
        config=parse_config(CONFIG),
        checks=[check],
        enabled_detectors=tuple(ALL_DETECTORS),
        _secrets=(PASSWORD,),
    )
    reports = tmp_path / "reports"
    request = WatchRequest(every_s=0.0, rounds=2, reports_dir=reports, run_id="w", workers="1")
    code = run_watch(request, plan, [check])
    assert code == 1
    written = [p for p in reports.rglob("*") if p.is_file()]
    assert {"results.json", "summary.md", "junit.xml"} <= {p.name for p in written}
    assert "server said" in (reports / "w" / "results.json").read_text()
    for path in written:
        data = path.read_bytes()
        for secret in (PASSWORD, COOKIE, TOKEN[:32]):
            assert secret.encode() not in data, f"{secret} in {path.relative_to(reports)}"
    assert not (reports / "w" / AUTH_DIR).exists()
    printed = capsys.readouterr()
    assert "passed → failed (" in printed.out and "server said" in printed.out  # the transition
    for secret in (PASSWORD, COOKIE, TOKEN[:32]):
        assert secret not in printed.out + printed.err
