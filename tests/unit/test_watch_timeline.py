"""The rules of `smoke watch` on hand-built data: transitions, periods, causes, exit code."""

from __future__ import annotations

from typing import Any

import pytest

from smoke.model.exit_codes import ExitCode
from smoke.watch.timeline import (
    Period,
    Transition,
    build_periods,
    cause_spans,
    is_new_failure,
    observe,
    offset,
    overrun_message,
    problem_of,
    span,
    state_of,
    watch_exit_code,
)

RC = "ruwiki/recentchanges/damaging=likelybad"
WL = "ruwiki/watchlist/plain"
CRASH = 'HTTP 500: Fatal exception of type "RuntimeException" (request id {rid})'


def record(
    check: str, outcome: str, message: str = "", detector: str = "server-error"
) -> dict[str, Any]:
    wiki, page, _ = check.split("/", 2)
    findings = [{"detector": detector, "message": message}] if outcome == "failed" else []
    error = {"kind": "NavigationTimeout", "message": message} if outcome == "broken" else None
    return {
        "id": check,
        "wiki": wiki,
        "page": page,
        "outcome": outcome,
        "findings": findings,
        "error": error,
        "url": f"http://127.0.0.1:9/{check}",
        "artifacts": {"screenshot": f"artifacts/round-3/{check}/screenshot.png"},
    }


# --- states, offsets, transitions -----------------------------------------------------------


def test_flaky_counts_as_passed_and_other_outcomes_are_themselves() -> None:
    assert state_of("flaky") == "passed"
    assert [state_of(o) for o in ("passed", "failed", "broken", "known", "skipped")] == [
        "passed",
        "failed",
        "broken",
        "known",
        "skipped",
    ]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "+00:00"), (9.9, "+00:09"), (250, "+04:10"), (3599, "+59:59"), (3725, "+1:02:05")],
)
def test_offsets_since_the_start(seconds: float, shown: str) -> None:
    assert offset(seconds) == shown


def test_spans_read_as_seconds_then_minutes() -> None:
    assert (span(15.4), span(90), span(3725)) == ("15 s", "01:30", "1:02:05")


def test_first_round_reports_only_what_did_not_pass() -> None:
    assert observe(RC, None, "passed", at_s=3, round_number=1) is None
    assert observe(RC, None, "flaky", at_s=3, round_number=1) is None
    assert observe(RC, None, "skipped", at_s=3, round_number=1) is None
    first = observe(RC, None, "failed", at_s=3, round_number=1, problem="[server-error] boom")
    assert first == Transition(RC, None, "failed", 3, 1, None, "[server-error] boom")
    assert first.line() == f"+00:03 {RC} failed ([server-error] boom)"


def test_a_change_of_state_is_a_transition_and_no_change_is_none() -> None:
    problem = "[server-error] " + CRASH.format(rid="abc") + " " + "x" * 200
    went = observe(RC, ("passed", 245.0), "failed", at_s=250.2, round_number=5, problem=problem)
    assert went is not None
    assert (went.before, went.after, went.previous_at_s, went.round) == ("passed", "failed", 245, 5)
    line = went.line()
    assert line.startswith(f"+04:10 {RC} passed → failed ([server-error] HTTP 500: Fatal exception")
    assert line.endswith("…)") and len(line) < 200  # long problems are shortened
    assert observe(RC, ("failed", 250.2), "failed", at_s=255, round_number=6) is None
    assert observe(RC, ("passed", 1.0), "flaky", at_s=5, round_number=2) is None


def test_a_recovery_says_when_the_failure_was_last_seen() -> None:
    back = observe(RC, ("failed", 335.0), "passed", at_s=340.4, round_number=7, problem="x")
    assert back is not None
    assert back.line() == f"+05:40 {RC} failed → passed (last seen failed at +05:35)"
    assert back.problem == ""  # a passing check has no problem to show


def test_new_failures_for_exit_on_failure() -> None:
    assert is_new_failure(observe(RC, None, "failed", at_s=1, round_number=1))
    assert is_new_failure(observe(RC, ("passed", 1), "failed", at_s=6, round_number=2))
    assert is_new_failure(observe(RC, ("broken", 1), "failed", at_s=6, round_number=2))
    assert not is_new_failure(observe(RC, ("failed", 1), "failed", at_s=6, round_number=2))
    assert not is_new_failure(observe(RC, ("passed", 1), "broken", at_s=6, round_number=2))
    assert not is_new_failure(observe(RC, ("failed", 1), "passed", at_s=6, round_number=2))


def test_problem_of_a_record() -> None:
    assert problem_of(record(RC, "failed", "HTTP 500")) == "[server-error] HTTP 500"
    assert problem_of(record(RC, "broken", "25 s")) == "[NavigationTimeout] 25 s"
    assert problem_of({"outcome": "skipped", "skip_reason": "no ORES"}) == "no ORES"


# --- failing periods ------------------------------------------------------------------------


def _t(
    check: str, before: str | None, after: str, at: float, rnd: int, prev: float | None
) -> Transition:
    return Transition(check, before, after, at, rnd, prev)


def test_a_period_is_bracketed_by_the_observations_around_it() -> None:
    timeline = [
        _t(RC, "passed", "failed", 12.0, 3, 7.0),
        _t(RC, "failed", "passed", 27.0, 6, 22.0),
    ]
    (period,) = build_periods(timeline, {RC: 37.0})
    assert period == Period(RC, "failed", 12.0, 3, 7.0, 22.0, 27.0, 6)
    assert not period.ongoing and period.duration_s(40) == 15


def test_a_period_open_at_the_end_lasts_until_the_last_observation() -> None:
    timeline = [_t(RC, None, "failed", 2.0, 1, None), _t(WL, "passed", "broken", 14.0, 3, 9.0)]
    periods = build_periods(timeline, {RC: 31.0, WL: 32.5})
    assert [(p.check, p.state, p.before_s, p.last_s, p.end_s) for p in periods] == [
        (RC, "failed", None, 31.0, None),
        (WL, "broken", 9.0, 32.5, None),
    ]
    assert periods[0].ongoing and periods[0].duration_s(40.0) == 38.0


def test_failed_then_broken_are_two_periods_and_a_second_failure_a_third() -> None:
    timeline = [
        _t(RC, "passed", "failed", 10, 2, 5),
        _t(RC, "failed", "broken", 15, 3, 10),
        _t(RC, "broken", "passed", 20, 4, 15),
        _t(RC, "passed", "failed", 40, 8, 35),
    ]
    periods = build_periods(timeline, {RC: 45})
    assert [(p.state, p.start_s, p.end_s) for p in periods] == [
        ("failed", 10, 15),
        ("broken", 15, 20),
        ("failed", 40, None),
    ]


def test_known_and_skipped_states_are_no_failing_period() -> None:
    timeline = [_t(RC, "passed", "known", 10, 2, 5), _t(RC, "known", "passed", 15, 3, 10)]
    assert build_periods(timeline, {RC: 15}) == []


# --- causes over time -----------------------------------------------------------------------


def test_checks_failing_the_same_way_at_the_same_time_are_one_cause() -> None:
    timeline = [
        _t(RC, "passed", "failed", 12.0, 3, 7.0),
        _t(WL, "passed", "failed", 13.5, 3, 8.0),
        _t(RC, "failed", "passed", 27.0, 6, 22.0),
        _t(WL, "failed", "passed", 28.0, 6, 23.0),
    ]
    firsts = {
        (RC, 3): record(RC, "failed", CRASH.format(rid="aaaaaaaaaaaaaaaaaaaaaaa1")),
        (WL, 3): record(WL, "failed", CRASH.format(rid="bbbbbbbbbbbbbbbbbbbbbbb2")),
    }
    (cause,) = cause_spans(build_periods(timeline, {}), firsts)
    assert cause.checks == [RC, WL]
    assert (cause.start_s, cause.before_s, cause.last_s, cause.end_s) == (12.0, 7.0, 23.0, 28.0)
    assert cause.outcome == "failed" and cause.problem.startswith("[server-error] HTTP 500")
    assert cause.example["id"] == RC  # the earliest check's first failing record (evidence)


def test_the_same_cause_twice_is_two_spans_and_another_cause_its_own() -> None:
    timeline = [
        _t(RC, "passed", "failed", 10, 2, 5),
        _t(RC, "failed", "passed", 20, 4, 15),
        _t(WL, "passed", "failed", 22, 5, 17),
        _t(RC, "passed", "failed", 40, 8, 35),
    ]
    crash = CRASH.format(rid="cccccccccccccccccccccccc")
    firsts = {
        (RC, 2): record(RC, "failed", crash),
        (RC, 8): record(RC, "failed", crash),
        (WL, 5): record(WL, "failed", "uncaught TypeError", detector="javascript"),
    }
    spans = cause_spans(build_periods(timeline, {RC: 45, WL: 45}), firsts)
    assert [(s.checks, s.start_s, s.end_s) for s in spans] == [
        ([RC], 10, 20),
        ([WL], 22, None),
        ([RC], 40, None),
    ]
    assert spans[0].id == spans[2].id != spans[1].id  # a cause keeps its id across spans


# --- exit code and overruns -----------------------------------------------------------------

P, F, B = "passed", "failed", "broken"


@pytest.mark.parametrize(
    ("rounds", "expected"),
    [
        ([{RC: P, WL: P}, {RC: P, WL: P}], ExitCode.OK),
        ([{RC: P, WL: "flaky"}, {RC: P, WL: "skipped"}], ExitCode.OK),
        ([{RC: P}, {RC: F}, {RC: P}], ExitCode.RECOVERED),
        ([{RC: P, WL: P}, {RC: F, WL: P}, {RC: P, WL: B}], ExitCode.RECOVERED),
        ([{RC: P}, {RC: F}, {RC: F}], ExitCode.DEFECT),
        ([{RC: P}, {RC: F}, {RC: B}], ExitCode.DEFECT),  # recovery not confirmed
        ([{RC: F, WL: P}, {RC: P, WL: P}, {WL: P}], ExitCode.RECOVERED),  # partial last round
        ([{RC: P, WL: P}, {RC: P, WL: F}, {RC: P}], ExitCode.DEFECT),  # WL not seen again
        ([{RC: P}, {RC: B}, {RC: P}], ExitCode.BROKEN),
        ([], ExitCode.OK),
    ],
)
def test_exit_code_of_a_watch(rounds: list[dict[str, str]], expected: ExitCode) -> None:
    assert watch_exit_code(rounds) == expected


def test_interrupt_and_exit_on_failure_decide_the_exit_code() -> None:
    rounds = [{RC: P}, {RC: F}]
    assert watch_exit_code(rounds, interrupted=True) == ExitCode.INTERRUPTED
    assert watch_exit_code([{RC: P}], interrupted=True, stopped=True) == ExitCode.INTERRUPTED
    assert watch_exit_code(rounds, stopped=True) == ExitCode.DEFECT


def test_a_round_longer_than_the_interval_is_said_so() -> None:
    assert overrun_message(3, 14.9, 15.0) is None
    assert overrun_message(3, 15.0, 15.0) is None
    message = overrun_message(4, 21.34, 15.0)
    assert message is not None
    assert message.startswith("round 4 took 21.3 s, longer than --every 15 s")
