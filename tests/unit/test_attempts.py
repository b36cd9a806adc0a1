"""Attempts, retries, flaky and known-issue outcomes, with a scripted stand-in for the browser.

The stand-in implements the ``CheckBrowser`` protocol execution is typed on (load, traces,
screenshot), as WorkerBrowser does: no browser and no MediaWiki are involved in these rules.
"""

from __future__ import annotations

import dataclasses
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from smoke.config import parse_config
from smoke.execute.attempts import CheckBrowser, Execution, execute, result_of
from smoke.judge.detectors import ALL_DETECTORS
from smoke.model.checks import Check, Expectation, Page
from smoke.model.findings import NavigationTimeout
from smoke.model.outcome import Outcome
from smoke.model.record import MwConfig, PageRecord
from smoke.plan.planner import Plan, PlanOptions

CONFIG = """\
retries: 1
known_issues:
  - {task: T111, wiki: ruwiki, page: recentchanges, detector: server-error}
  - {task: T222, wiki: frwiki, expires: 2020-01-01}
  - {task: T333, wiki: dewiki, message: 'timeout|did not finish'}
targets:
  t:
    url: "http://127.0.0.1:9/{id}"
    wikis: [{id: enwiki, ores: []}]
"""
HEALTHY = PageRecord(
    requested_url="http://127.0.0.1:9/x", status=200, mw_config=MwConfig(request_id="ok1")
)
CRASHED = PageRecord(
    requested_url="http://127.0.0.1:9/x", status=500, mw_config=MwConfig(request_id="bad1")
)


class ScriptedBrowser:
    """Returns (or raises) the given outcomes in order, one per load."""

    def __init__(self, *outcomes: PageRecord | Exception) -> None:
        self._outcomes: Iterator[PageRecord | Exception] = iter(outcomes)
        self.loads = 0
        self.limits: list[float | None] = []
        self.tracing = False
        self.full_loads: list[int] = []  # numbers of the loads asked to be full
        self.verdicts: list[bool] = []

    def load(
        self,
        check: Check,
        plan: Plan,
        *,
        trace: bool = False,
        full: bool = False,
        navigation_timeout: float | None = None,
    ) -> PageRecord:
        self.loads += 1
        self.limits.append(navigation_timeout)
        self.tracing = trace
        if full:
            self.full_loads.append(self.loads)
        outcome = next(self._outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def judged(self, ok: bool) -> None:
        self.verdicts.append(ok)

    def screenshot(self, path: Path) -> bool:
        return False

    def wants_trace(self, attempt: int) -> bool:
        return attempt > 1

    def save_trace(self, path: Path) -> bool:
        if not self.tracing:
            return False
        self.tracing = False
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("trace.trace", '{"cookie": "x"}')
        return True

    def discard_trace(self) -> None:
        self.tracing = False


def plan(retries: int | None = None) -> Plan:
    return Plan(
        options=PlanOptions(config_path=Path("x.yaml"), target="t", retries=retries),
        config=parse_config(CONFIG),
        checks=[],
        enabled_detectors=tuple(ALL_DETECTORS),
    )


def check(wiki: str = "enwiki", page: Page = Page.CONTRIBUTIONS) -> Check:
    return Check(
        id=f"{wiki}/{page.value}/plain",
        target="t",
        wiki=wiki,
        page=page,
        variant="plain",
        url="http://127.0.0.1:9/x",
        expectation=Expectation(page=page),
    )


def run(
    browser: CheckBrowser,
    c: Check,
    tmp_path: Path,
    retries: int | None = None,
    today: date = date(2026, 11, 28),
) -> Execution:
    return execute(c, plan(retries), browser, tmp_path, today=today)


def test_pass_first_time_is_one_attempt(tmp_path: Path) -> None:
    browser = ScriptedBrowser(HEALTHY)
    execution = run(browser, check(), tmp_path)
    assert execution.outcome is Outcome.PASSED and browser.loads == 1


def test_fail_then_pass_is_flaky_and_keeps_the_first_attempts_evidence(tmp_path: Path) -> None:
    execution = run(ScriptedBrowser(CRASHED, HEALTHY), check(), tmp_path)
    assert execution.outcome is Outcome.FLAKY
    first = execution.attempts[0]
    assert first.outcome is Outcome.FAILED and first.artifacts["html"].endswith("page.html")
    assert (tmp_path / first.artifacts["html"]).exists()
    result = result_of(execution, worker="gw0")
    assert [a["outcome"] for a in result.attempts] == ["failed", "passed"]
    assert result.attempts[0]["request_id"] == "bad1"


def test_failing_every_attempt_is_failed(tmp_path: Path) -> None:
    browser = ScriptedBrowser(CRASHED, CRASHED, CRASHED)
    execution = run(browser, check(), tmp_path, retries=2)
    assert execution.outcome is Outcome.FAILED and browser.loads == 3
    assert execution.findings[0].detector == "server-error"


def test_broken_every_attempt_is_broken(tmp_path: Path) -> None:
    error = NavigationTimeout("no load within 3 s")
    execution = run(ScriptedBrowser(error, error), check(), tmp_path)
    assert execution.outcome is Outcome.BROKEN and execution.final.error is error


def test_no_retry_when_retries_is_zero(tmp_path: Path) -> None:
    browser = ScriptedBrowser(CRASHED)
    assert run(browser, check(), tmp_path, retries=0).outcome is Outcome.FAILED
    assert browser.loads == 1


def test_known_issue_quarantines_a_matching_failure(tmp_path: Path) -> None:
    c = check("ruwiki", Page.RECENTCHANGES)
    execution = run(ScriptedBrowser(CRASHED, CRASHED), c, tmp_path)
    assert execution.outcome is Outcome.KNOWN
    result = result_of(execution, worker="main")
    assert result.known_issue == {
        "task": "T111",
        "url": "https://phabricator.wikimedia.org/T111",
        "reason": "",
    }


def test_known_issue_out_of_scope_does_not_quarantine(tmp_path: Path) -> None:
    c = check("ruwiki", Page.WATCHLIST)  # T111 is for recentchanges only
    assert run(ScriptedBrowser(CRASHED, CRASHED), c, tmp_path).outcome is Outcome.FAILED


def test_known_issue_matches_broken_checks_by_message(tmp_path: Path) -> None:
    error = NavigationTimeout("page did not finish loading within 3 s")
    execution = run(ScriptedBrowser(error, error), check("dewiki"), tmp_path)
    assert execution.outcome is Outcome.KNOWN


def test_expired_known_issue_is_a_finding_of_its_own(tmp_path: Path) -> None:
    execution = run(ScriptedBrowser(CRASHED, CRASHED), check("frwiki"), tmp_path)
    assert execution.outcome is Outcome.FAILED
    detectors = [f.detector for f in execution.findings]
    assert detectors[0] == "server-error" and "known-issues" in detectors
    expired = next(f for f in execution.findings if f.detector == "known-issues")
    assert "T222" in expired.message and "2020-01-01" in expired.message


def test_known_issue_that_stopped_failing_is_reported(tmp_path: Path) -> None:
    execution = run(ScriptedBrowser(HEALTHY), check("ruwiki", Page.RECENTCHANGES), tmp_path)
    assert execution.outcome is Outcome.PASSED
    assert result_of(execution, worker="main").known_issues_stopped_failing == ["T111"]


def test_the_retry_of_a_failing_check_is_traced_and_kept(tmp_path: Path) -> None:
    execution = run(ScriptedBrowser(CRASHED, CRASHED), check(), tmp_path)
    assert "trace" not in execution.attempts[0].artifacts  # first attempts are not traced
    assert execution.final.artifacts["trace"].endswith("trace.zip")
    assert (tmp_path / execution.final.artifacts["trace"]).exists()


def test_a_passing_retry_drops_its_trace(tmp_path: Path) -> None:
    browser = ScriptedBrowser(CRASHED, HEALTHY)
    execution = run(browser, check(), tmp_path)
    assert execution.outcome is Outcome.FLAKY and not browser.tracing
    assert not list(tmp_path.rglob("trace.zip"))


# --- the in-app path (docs/loading.md): a finding is always judged on a full load -------------

IN_APP_CRASHED = dataclasses.replace(CRASHED, loaded="in-app")
IN_APP_HEALTHY = dataclasses.replace(HEALTHY, loaded="in-app")


def test_an_in_app_finding_is_judged_on_a_full_load(tmp_path: Path) -> None:
    browser = ScriptedBrowser(IN_APP_CRASHED, CRASHED)
    execution = run(browser, check(), tmp_path, retries=0)
    assert execution.outcome is Outcome.FAILED
    assert browser.full_loads == [2]  # the second load of the one attempt was a full one
    final = execution.final
    assert final.record is CRASHED and final.findings[0].detector == "server-error"
    assert final.in_app_finding.startswith("[server-error] HTTP 500")
    assert browser.verdicts == [False]
    result = result_of(execution, worker="gw0")
    assert result.loaded == "full"
    assert result.attempts[0]["in_app_finding"].startswith("[server-error]")


def test_an_in_app_finding_the_full_load_does_not_confirm_passes(tmp_path: Path) -> None:
    browser = ScriptedBrowser(IN_APP_CRASHED, HEALTHY)
    execution = run(browser, check(), tmp_path, retries=0)
    assert execution.outcome is Outcome.PASSED and len(execution.attempts) == 1
    assert result_of(execution, worker="gw0").loaded == "full"


def test_a_passing_in_app_check_is_one_load(tmp_path: Path) -> None:
    browser = ScriptedBrowser(IN_APP_HEALTHY)
    execution = run(browser, check(), tmp_path)
    assert execution.outcome is Outcome.PASSED and browser.loads == 1
    assert browser.full_loads == [] and browser.verdicts == [True]
    assert result_of(execution, worker="gw0").loaded == "in-app"
