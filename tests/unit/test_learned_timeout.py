"""Learned navigation limits: from history; a suspicion the full timeout checks, never a verdict."""

from __future__ import annotations

import json
from pathlib import Path

from smoke.execute.attempts import execute
from smoke.execute.give_up import GiveUp
from smoke.execute.learned_timeout import FLOOR_S, LearnedTimeouts, learn, p95
from smoke.model.checks import Page
from smoke.model.findings import NavigationTimeout, PageGivenUp
from smoke.model.outcome import Outcome
from tests.unit.test_attempts import HEALTHY, ScriptedBrowser, check, plan
from tests.unit.test_give_up import TIMEOUT
from tests.unit.test_give_up import check as gcheck


def _run(reports: Path, name: str, target: str, loads_ms: list[float]) -> None:
    run_dir = reports / name
    run_dir.mkdir(parents=True)
    checks = [
        {
            "id": f"enwiki/recentchanges/v{i}",
            "wiki": "enwiki",
            "page": "recentchanges",
            "outcome": "passed",
            "timings": {"load_ms": ms},
        }
        for i, ms in enumerate(loads_ms)
    ]
    body = {"run": {"run_id": name, "target": target, "started_at": f"2026-12-0{len(name)}"}}
    (run_dir / "results.json").write_text(json.dumps({**body, "checks": checks}))


def test_p95_is_the_nearest_rank() -> None:
    assert p95([1.0] * 19 + [9.0]) == 1.0
    assert p95([1.0] * 18 + [9.0, 9.0]) == 9.0


def test_learned_from_the_targets_runs_with_enough_samples(tmp_path: Path) -> None:
    _run(tmp_path, "r1", "local", [1000.0, 1200.0, 900.0, 5000.0, 1100.0, 1000.0])
    _run(tmp_path, "r22", "beta", [100.0] * 10)  # another target: not used
    assert learn(tmp_path, "local") == {"enwiki/recentchanges": 15.0}  # 3 x 5 s
    assert learn(tmp_path, "beta") == {"enwiki/recentchanges": FLOOR_S}  # 3 x 0.1 s, floored
    assert learn(tmp_path, "staging") == {}
    _run(tmp_path, "r333", "staging", [1000.0] * 4)  # too few loads to learn from
    assert learn(tmp_path, "staging") == {}
    assert learn(tmp_path / "missing", "local") == {}


def _learned(tmp_path: Path, limit: float = 10.0) -> tuple[LearnedTimeouts, GiveUp]:
    give_up = GiveUp(tmp_path / "run")
    return LearnedTimeouts({"enwiki/contributions": limit}, give_up, lambda c: 30.0), give_up


def test_a_slow_but_healthy_page_passes_and_keeps_the_full_timeout(tmp_path: Path) -> None:
    learned, give_up = _learned(tmp_path)
    browser = ScriptedBrowser(NavigationTimeout("not within 10 s"), HEALTHY, HEALTHY)
    execution = execute(check(), plan(), browser, tmp_path, learned=learned)
    assert execution.outcome is Outcome.PASSED  # not flaky: the learned load was no attempt
    assert len(execution.attempts) == 1 and execution.learned_limit_tripped == 10.0
    assert browser.limits == [10.0, None]
    assert give_up.reason_not_to_load(check()) is None
    execute(check(), plan(), browser, tmp_path, learned=learned)
    assert browser.limits[-1] is None  # later checks of the page: the full timeout at once


def test_learned_and_full_timeouts_agreeing_give_the_page_up(tmp_path: Path) -> None:
    learned, give_up = _learned(tmp_path)
    hung = NavigationTimeout("did not finish loading within 30 s")
    browser = ScriptedBrowser(NavigationTimeout("within 10 s"), hung)
    execution = execute(
        check(),
        plan(),
        browser,
        tmp_path,
        learned=learned,
        may_retry=lambda e: give_up.may_retry(check(), e),
        on_attempt=lambda e: give_up.record(check(), e),
    )
    assert execution.outcome is Outcome.BROKEN and browser.loads == 2
    assert isinstance(give_up.reason_not_to_load(check()), PageGivenUp)


def test_no_learned_limit_at_or_over_the_configured_timeout(tmp_path: Path) -> None:
    learned, _ = _learned(tmp_path, limit=30.0)
    assert learned.limit(check()) is None
    assert learned.limit(check(page=Page.WATCHLIST)) is None  # not learned


def test_a_wiki_is_given_up_once_two_of_its_pages_are(tmp_path: Path) -> None:
    give_up = GiveUp(tmp_path)
    for page in (Page.RECENTCHANGES, Page.WATCHLIST):
        for variant in ("a", "b"):
            give_up.record(gcheck(page=page, variant=variant), TIMEOUT)
    reason = give_up.reason_not_to_load(gcheck(page=Page.CONTRIBUTIONS))
    assert isinstance(reason, PageGivenUp)
    assert "2 pages of slowwiki were given up" in str(reason)
    assert give_up.reason_not_to_load(gcheck("otherwiki")) is None
