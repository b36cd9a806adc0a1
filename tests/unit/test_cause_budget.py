"""The cause budget: evidence for the first checks of a cause, no retry of a confirmed cause."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from smoke.execute.attempts import execute
from smoke.execute.cause_budget import CauseBudget
from smoke.model.findings import NavigationTimeout
from smoke.model.outcome import Outcome
from smoke.model.record import MwConfig, PageRecord
from smoke.output.summary import render_summary
from tests.unit.test_attempts import CRASHED, HEALTHY, ScriptedBrowser, check, plan


def test_a_new_cause_gets_evidence_then_the_budget_is_spent(tmp_path: Path) -> None:
    budget = CauseBudget(tmp_path, per_cause=2)
    assert budget.claim_evidence("c1", "a") == (True, ["a"])
    assert budget.claim_evidence("c1", "a") == (True, ["a"])  # idempotent per check
    assert budget.claim_evidence("c1", "b") == (True, ["a", "b"])
    assert budget.claim_evidence("c1", "c") == (False, ["a", "b"])
    assert budget.claim_evidence("c2", "c") == (True, ["c"])  # another cause: new, evidence


def test_a_cause_is_confirmed_by_two_other_checks_that_ended_with_it(tmp_path: Path) -> None:
    budget = CauseBudget(tmp_path)
    budget.ended("c1", "a")
    assert not budget.confirmed("c1", "b")
    budget.ended("c1", "a")  # the same check twice counts once
    assert not budget.confirmed("c1", "b")
    budget.ended("c1", "b")
    assert not budget.confirmed("c1", "b")  # itself is not "another" check
    assert budget.confirmed("c1", "c")
    assert not budget.confirmed("c2", "c")


def test_per_cause_must_be_at_least_one(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CauseBudget(tmp_path, per_cause=0)


def _claim(run_dir: str, name: str) -> bool:
    return CauseBudget(Path(run_dir), per_cause=3).claim_evidence("c", name)[0]


def test_workers_share_the_budget(tmp_path: Path) -> None:
    with multiprocessing.get_context("fork").Pool(4) as pool:
        granted = pool.starmap(_claim, [(str(tmp_path), f"check{i}") for i in range(12)])
    assert sum(granted) == 3


def _crashing(wiki: str) -> list[PageRecord]:
    # The same HTTP 500 with a different request id per load: one cause.
    return [
        PageRecord(
            requested_url="http://127.0.0.1:9/x",
            status=500,
            mw_config=MwConfig(request_id=f"{wiki}req{i:024d}"),
        )
        for i in range(3)
    ]


def test_a_confirmed_cause_is_not_retried_and_keeps_no_evidence(tmp_path: Path) -> None:
    budget = CauseBudget(tmp_path, per_cause=2)
    p = plan()
    runs = []
    for wiki in ("enwiki", "ruwiki", "frwiki", "dewiki"):
        browser = ScriptedBrowser(*_crashing(wiki))
        runs.append((execute(check(wiki), p, browser, tmp_path, causes=budget), browser))
    loads = [browser.loads for _, browser in runs]
    assert loads == [2, 2, 1, 1]  # new cause retried twice; then confirmed: no retry
    assert all(e.outcome is Outcome.FAILED for e, _ in runs)
    assert [e.confirmed_cause for e, _ in runs] == [False, False, True, True]
    kept = [bool(e.final.artifacts) for e, _ in runs]
    assert kept == [True, True, False, False]
    assert runs[2][0].final.evidence_held_by == [
        "enwiki/contributions/plain",
        "ruwiki/contributions/plain",
    ]
    assert len(list(tmp_path.rglob("page.html"))) == 4  # two checks, two attempts each


def test_a_new_cause_is_still_retried_after_another_was_confirmed(tmp_path: Path) -> None:
    budget = CauseBudget(tmp_path)
    p = plan()
    for wiki in ("enwiki", "ruwiki"):
        execute(check(wiki), p, ScriptedBrowser(*_crashing(wiki)), tmp_path, causes=budget)
    timeout = NavigationTimeout("did not finish loading within 3 s")
    browser = ScriptedBrowser(timeout, HEALTHY)
    execution = execute(check("frwiki"), p, browser, tmp_path, causes=budget)
    assert browser.loads == 2 and execution.outcome is Outcome.FLAKY


def test_a_flaky_check_does_not_confirm_its_cause(tmp_path: Path) -> None:
    budget = CauseBudget(tmp_path)
    p = plan()
    for wiki in ("enwiki", "ruwiki"):
        execute(check(wiki), p, ScriptedBrowser(CRASHED, HEALTHY), tmp_path, causes=budget)
    browser = ScriptedBrowser(CRASHED, HEALTHY)
    assert execute(check("frwiki"), p, browser, tmp_path, causes=budget).outcome is Outcome.FLAKY


def test_always_keeps_every_checks_evidence(tmp_path: Path) -> None:
    budget = CauseBudget(tmp_path, per_cause=1)
    p = plan(retries=0)
    for wiki in ("enwiki", "ruwiki"):
        e = execute(
            check(wiki),
            p,
            ScriptedBrowser(CRASHED),
            tmp_path,
            causes=budget,
            keep_evidence="always",
        )
        assert e.final.artifacts


def test_summary_says_how_many_checks_of_a_cause_have_evidence(tmp_path: Path) -> None:
    from smoke.execute.attempts import result_of

    budget = CauseBudget(tmp_path, per_cause=1)
    p = plan(retries=0)
    results = [
        result_of(
            execute(check(w), p, ScriptedBrowser(*_crashing(w)), tmp_path, causes=budget),
            worker="gw0",
        )
        for w in ("enwiki", "ruwiki", "frwiki")
    ]
    text = render_summary(results, {"run_id": "r", "target": "t"})
    assert "evidence for 1 of 3 checks" in text
    assert "e.g. `enwiki/contributions/plain`" in text  # the example is the one with evidence
