"""The watch loop and what it writes, with a scripted pool and a fake clock (no processes).

The pool answers each submitted check with the outcome a script gives for that round, taking the
seconds the script says; the clock only moves when a check "loads" or the watch sleeps.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from smoke.model.checks import Check, Expectation, Page
from smoke.model.exit_codes import ExitCode
from smoke.output.results import result_for
from smoke.output.run_dir import AUTH_DIR, new_run_dir
from smoke.watch.loop import STOPPED_FAILURE, STOPPED_ROUNDS, STOPPED_WINDOW, Watch, WatchRequest
from smoke.watch.pool import Done
from smoke.watch.report import write_watch
from smoke.watch.timeline import watch_exit_code
from smoke.watch.worker import Task

RC = "ruwiki/recentchanges/plain"
WL = "ruwiki/watchlist/plain"
NO = "nooreswiki/recentchanges/damaging=likelybad"
CRASH = 'HTTP 500: Fatal exception of type "RuntimeException"'


def check(check_id: str, skip: str | None = None) -> Check:
    wiki, page, variant = check_id.split("/")
    return Check(
        id=check_id,
        target="local",
        wiki=wiki,
        page=Page(page),
        variant=variant,
        url=f"http://127.0.0.1:9/{check_id}",
        expectation=Expectation(Page(page)),
        skip_reason=skip,
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class ScriptedPool:
    """round → check → outcome; every check takes ``seconds``; the submitted tasks are kept."""

    def __init__(
        self, clock: Clock, script: dict[int, dict[str, str]], seconds: float = 1.0
    ) -> None:
        self.clock, self.script, self.seconds = clock, script, seconds
        self.queue: deque[Task] = deque()
        self.tasks: list[Task] = []
        self.lost: set[tuple[int, str]] = set()  # (round, check) a worker "loses"

    def submit(self, task: Task) -> None:
        self.tasks.append(task)
        if (task.round, task.check_id) not in self.lost:
            self.queue.append(task)

    def next_done(self, timeout: float) -> Done | None:
        if not self.queue:
            self.clock.now += timeout
            return None
        task = self.queue.popleft()
        self.clock.now += self.seconds
        outcome = self.script.get(task.round, {}).get(task.check_id, "passed")
        findings = [{"detector": "server-error", "message": CRASH}] if outcome == "failed" else []
        result = result_for(check(task.check_id), outcome, findings=findings, duration_s=1.0)
        if outcome == "failed" and task.keep_evidence != "never":
            result.artifacts = {"screenshot": f"artifacts/round-{task.round}/x/screenshot.png"}
        return Done(task.round, task.check_id, asdict(result))


def watch_of(
    tmp_path: Path, script: dict[int, dict[str, str]], seconds: float = 1.0, **request: Any
) -> tuple[Watch, ScriptedPool, list[str]]:
    clock, said = Clock(), list[str]()
    pool = ScriptedPool(clock, script, seconds)
    run_dir = new_run_dir(tmp_path / "reports", "w")
    watch = Watch(
        WatchRequest(**{"every_s": 10.0, "for_s": 60.0, **request}),
        [check(RC), check(WL), check(NO, skip="nooreswiki has no ORES")],
        pool,
        run_dir,
        clock=clock,
        sleep=clock.sleep,
        say=said.append,
    )
    return watch, pool, said


def test_rounds_repeat_every_interval_for_the_window(tmp_path: Path) -> None:
    watch, pool, said = watch_of(tmp_path, {}, verbose=True)
    watch.run()
    assert watch.stop_reason == STOPPED_WINDOW
    assert [r.offset_s for r in watch.rounds] == [0, 10, 20, 30, 40, 50]  # none starts at 60
    assert all(r.complete and r.duration_s == 2.0 for r in watch.rounds)
    assert said[0] == "+00:02 round 1 (baseline): 3 checks in 2.0 s — 2 passed, 1 skipped"
    assert said[1] == "+00:12 round 2: 2 passed, 1 skipped in 2.0 s"
    assert len(pool.tasks) == 12  # the skipped check is never loaded


def test_transitions_are_printed_as_they_arrive_and_evidence_kept_once(tmp_path: Path) -> None:
    script = {3: {RC: "failed"}, 4: {RC: "failed", WL: "broken"}, 5: {RC: "failed"}}
    watch, pool, said = watch_of(tmp_path, script)
    watch.run()
    transitions = [line for line in said if "→" in line]
    assert transitions == [
        f"+00:21 {RC} passed → failed ([server-error] {CRASH})",
        f"+00:32 {WL} passed → broken",
        f"+00:42 {WL} broken → passed (last seen broken at +00:32)",
        f"+00:51 {RC} failed → passed (last seen failed at +00:41)",
    ]
    keep = {(t.round, t.check_id): t.keep_evidence for t in pool.tasks}
    assert keep[(3, RC)] == "on-failure"  # first failing round: evidence
    assert keep[(4, RC)] == keep[(5, RC)] == keep[(5, WL)] == "never"  # still failing: none
    assert keep[(6, RC)] == "never"  # RC failed in round 5 still
    assert keep[(6, WL)] == "on-failure"  # WL passed again in round 5: a new failure gets evidence
    assert watch_exit_code([r.outcomes for r in watch.rounds]) == ExitCode.RECOVERED


def test_exit_on_failure_stops_after_the_round_of_a_new_failure(tmp_path: Path) -> None:
    watch, _, said = watch_of(tmp_path, {2: {WL: "failed"}}, exit_on_failure=True)
    watch.run()
    assert watch.stop_reason == STOPPED_FAILURE
    assert len(watch.rounds) == 2 and watch.rounds[-1].complete
    assert said[-1] == "+00:12 new failure: stopping after this round (--exit-on-failure)"


def test_rounds_caps_the_watch_and_back_to_back_rounds_are_said_so(tmp_path: Path) -> None:
    watch, _, said = watch_of(tmp_path, {}, every_s=0.001, for_s=None, rounds=3)
    watch.run()
    assert watch.stop_reason == STOPPED_ROUNDS
    assert [r.offset_s for r in watch.rounds] == [0, 2, 4]
    assert sum("longer than --every 0.001 s" in line for line in said) == 2


def test_a_round_longer_than_the_interval_is_reported_and_the_next_starts_at_once(
    tmp_path: Path,
) -> None:
    watch, _, said = watch_of(tmp_path, {}, seconds=7.0, for_s=30.0)
    watch.run()
    assert [r.offset_s for r in watch.rounds] == [0, 14, 28]
    assert said[1].startswith("+00:14 round 1 took 14.0 s, longer than --every 10 s")


def test_checks_a_worker_lost_are_broken_after_the_stall_bound(tmp_path: Path) -> None:
    watch, pool, said = watch_of(tmp_path, {}, for_s=50.0)
    watch.stall_s = 30.0
    pool.lost = {(2, WL)}
    watch.run()
    assert [r.outcomes[WL] for r in watch.rounds] == ["passed", "broken", "passed"]
    assert watch.rounds[1].duration_s == pytest.approx(32.0, abs=1.1)  # 1 s check + 30 s + poll
    assert any("passed → broken" in line and "NoResult" in line for line in said)


def test_a_failed_login_is_retried_in_the_next_round(tmp_path: Path) -> None:
    watch, _, _ = watch_of(tmp_path, {}, for_s=15.0)
    auth = watch.run_dir / AUTH_DIR
    auth.mkdir()
    (auth / "ruwiki.failed").write_text("{}")
    (auth / "ruwiki.json").write_text("{}")
    watch.run()
    assert not (auth / "ruwiki.failed").exists()
    assert watch.sessions and len(watch.sessions) == 1


def test_what_a_watch_writes(tmp_path: Path) -> None:
    script = {2: {RC: "failed", WL: "failed"}, 3: {RC: "failed", WL: "failed"}}
    watch, _, _ = watch_of(tmp_path, script, for_s=40.0)
    (watch.run_dir / AUTH_DIR).mkdir()
    watch.run()
    code = watch_exit_code([r.outcomes for r in watch.rounds])
    facts = watch.facts(exit_code=code, notes=[], target="local")
    facts.browsers_started, facts.workers_started = 2, 2
    lines = write_watch(watch.run_dir, facts)

    body = json.loads((watch.run_dir / "results.json").read_text())
    assert body["run"]["command"] == "watch" and body["counts"]["passed"] == 2
    assert sorted(c["id"] for c in body["checks"]) == sorted([RC, WL, NO])
    assert [r["round"] for r in body["rounds"]] == [1, 2, 3, 4]
    assert body["rounds"][1]["outcomes"][RC] == "failed"
    assert [(t["check"], t["from"], t["to"], t["round"]) for t in body["timeline"]] == [
        (RC, "passed", "failed", 2),
        (WL, "passed", "failed", 2),
        (RC, "failed", "passed", 4),
        (WL, "failed", "passed", 4),
    ]
    (period,) = body["failing_periods"]
    assert (period["start_s"], period["before_s"], period["end_s"]) == (11.0, 1.0, 32.0)
    assert period["checks"] == [RC, WL] and period["evidence"]
    assert body["watch"]["exit_code"] == ExitCode.RECOVERED == code
    assert body["watch"]["browsers_started"] == 2 and body["watch"]["rounds"] == 4

    summary = (watch.run_dir / "summary.md").read_text()
    assert "=== Timeline (failing periods by root cause) ===" in summary
    assert "**failed +00:11 → +00:32 (21 s)" in summary
    assert "began between +00:01 and +00:11; ended between +00:22 and +00:32" in summary
    assert "first failing round 2" in summary and "artifacts/round-2/" in summary
    assert "**Exit 2**" in summary
    junit = (watch.run_dir / "junit.xml").read_text()
    assert junit.count("<testcase") == 3 and "<skipped" in junit
    assert not (watch.run_dir / AUTH_DIR).exists()
    assert (tmp_path / "reports" / "latest").resolve() == watch.run_dir.resolve()
    assert any(line.startswith("  failed +00:11 → +00:32 (21 s)") for line in lines)


@pytest.mark.parametrize("outcome", ["failed", "broken"])
def test_the_first_round_lists_what_did_not_pass(tmp_path: Path, outcome: str) -> None:
    watch, _, said = watch_of(tmp_path, {1: {WL: outcome}}, for_s=5.0)
    watch.run()
    assert said[0].startswith(f"+00:02 {WL} {outcome}")
    assert said[1].startswith("+00:02 round 1 (baseline): 3 checks in 2.0 s — ")
