"""What a watch writes: results.json, summary.md (with the timeline), junit.xml of the last round.

``results.json`` keeps the shape of a run's (``run``, ``counts``, ``checks``: the last record of
every check, so ``smoke diff`` and the history keep working) and adds ``watch`` (settings and
counters: rounds, browsers started, logins), ``rounds`` (per round: start, duration, outcome per
check), ``timeline`` (every transition) and ``failing_periods`` (per root cause: first and last
failing observation and the observations around them). The files are written, redacted and
cleaned up by the one end of run (:mod:`smoke.execute.end_of_run`), as a run's are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smoke.execute.end_of_run import RunEnd, finish, run_meta, run_secrets
from smoke.model.exit_codes import WATCH_EXIT_MEANINGS, ExitCode
from smoke.output.redact import redact
from smoke.output.results import CheckResult
from smoke.output.summary import render_summary
from smoke.watch.timeline import (
    CauseSpan,
    Transition,
    build_periods,
    cause_spans,
    offset,
    shorten,
    span,
)

TABLE_ROWS = 200  # summary.md lists at most this many transitions and rounds (all in results.json)


@dataclass
class WatchFacts:
    """Everything a watch observed, as the writers need it."""

    target: str
    started_at: str
    started_epoch: float  # time.time() at the start: lines transitions up with outside clocks
    duration_s: float
    every_s: float
    for_s: float | None
    exit_on_failure: bool
    stopped: str
    rounds: list[dict[str, Any]]
    timeline: list[Transition]
    latest: dict[str, dict[str, Any]]  # check → its last record
    last_seen: dict[str, float]  # check → when it was last observed
    first_records: dict[tuple[str, int], dict[str, Any]]  # (check, round) → first failing record
    logins: int
    exit_code: ExitCode
    notes: list[str]
    browsers_started: int = 0
    workers_started: int = 0
    interrupted_by: str | None = None  # the signal that stopped the watch

    @property
    def interrupted(self) -> bool:
        return self.interrupted_by is not None

    def spans(self) -> list[CauseSpan]:
        return cause_spans(build_periods(self.timeline, self.last_seen), self.first_records)


class RedactedSay:
    """Console lines without the run's secrets: a transition line quotes the page's problem.

    Every secret seen is kept, so lines printed after the sessions are gone are redacted too.
    """

    def __init__(
        self, plan_secrets: tuple[str, ...], run_dir: Path, say: Callable[[str], None]
    ) -> None:
        self.plan_secrets, self.run_dir, self.say = plan_secrets, run_dir, say
        self.known: dict[str, None] = {}

    def learn(self) -> None:
        self.known.update(dict.fromkeys(run_secrets(self.plan_secrets, self.run_dir)))

    def __call__(self, line: str) -> None:
        self.learn()
        self.say(redact(line, tuple(self.known)))


def write_watch(run_dir: Path, facts: WatchFacts, secrets: tuple[str, ...] = ()) -> list[str]:
    """Write the run directory's files; the closing lines for the console (warnings first).

    ``secrets``: the plan's passwords (the sessions' are read by the end of run).
    """
    results = [CheckResult(**facts.latest[c]) for c in sorted(facts.latest)]
    spans = facts.spans()
    meta = run_meta(
        run_dir,
        command="watch",
        started_at=facts.started_at,
        target=facts.target,
        interrupted_by=facts.interrupted_by,
        notes=facts.notes,
    )
    sections = {
        "watch": watch_section(facts),
        "rounds": facts.rounds,
        "timeline": [t.to_dict() for t in facts.timeline],
        "failing_periods": [span_dict(s) for s in spans],
    }
    end = RunEnd(
        run_dir,
        results,
        meta,
        secrets=secrets,
        summary=lambda meta: render_watch_summary(facts, spans, meta),
        sections=sections,
        junit_name="smoke watch",
    )
    warnings = finish(end)
    return [*warnings, *closing_lines(run_dir, facts, spans)]


def watch_section(facts: WatchFacts) -> dict[str, Any]:
    durations = [float(r["duration_s"]) for r in facts.rounds if r.get("complete")]
    return {
        "every_s": facts.every_s,
        "for_s": facts.for_s,
        "exit_on_failure": facts.exit_on_failure,
        "started_epoch": round(facts.started_epoch, 3),
        "duration_s": round(facts.duration_s, 1),
        "rounds": len(facts.rounds),
        "round_duration_max_s": round(max(durations), 2) if durations else None,
        "stopped": facts.stopped,
        "workers_started": facts.workers_started,
        "browsers_started": facts.browsers_started,
        "logins": facts.logins,
        "exit_code": int(facts.exit_code),
        "exit_meaning": WATCH_EXIT_MEANINGS.get(facts.exit_code, ""),
    }


def span_dict(s: CauseSpan) -> dict[str, Any]:
    def seconds(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "cause": s.id,
        "outcome": s.outcome,
        "problem": s.problem,
        "checks": s.checks,
        "start_s": seconds(s.start_s),
        "before_s": seconds(s.before_s),
        "last_s": seconds(s.last_s),
        "end_s": seconds(s.end_s),
        "start_round": min(p.start_round for p in s.periods),
        "end_round": None if s.end_s is None else max(p.end_round or 0 for p in s.periods),
        "evidence": dict(s.example.get("artifacts") or {}),
    }


def describe_span(s: CauseSpan, end_s: float) -> str:
    """One line: when, how long, what, which checks."""
    if s.end_s is None:
        so_far = span(end_s - s.start_s)
        when = f"{offset(s.start_s)} → still {s.outcome} at the end ({so_far} so far)"
    else:
        when = f"{offset(s.start_s)} → {offset(s.end_s)} ({span(s.end_s - s.start_s)})"
    checks = s.checks
    shown = ", ".join(checks[:3]) + (", …" if len(checks) > 3 else "")
    count = f"{len(checks)} check{'s' if len(checks) != 1 else ''}"
    return f"{s.outcome} {when}: {shorten(s.problem)} — {count} ({shown})"


def bracket(s: CauseSpan) -> str:
    """Where the real start and end lie, from the observations around the period."""
    began = (
        f"began between {offset(s.before_s)} and {offset(s.start_s)}"
        if s.before_s is not None
        else "failing from the first round"
    )
    ended = (
        f"ended between {offset(s.last_s)} and {offset(s.end_s)}"
        if s.end_s is not None
        else f"last seen {s.outcome} at {offset(s.last_s)}"
    )
    return f"{began}; {ended}"


def render_watch_summary(facts: WatchFacts, spans: list[CauseSpan], meta: Mapping[str, Any]) -> str:
    window = f"--for {facts.for_s:g} s" if facts.for_s else "until stopped"
    checks = len(facts.latest)
    code = facts.exit_code
    lines = [
        f"== smoke watch {meta.get('run_id', '')} — target `{facts.target}` ==",
        "",
        f"{len(facts.rounds)} rounds of {checks} checks every {facts.every_s:g} s ({window}), "
        f"from {facts.started_at} for {span(facts.duration_s)}; stopped: {facts.stopped or '?'}. "
        f"**Exit {int(code)}**: {WATCH_EXIT_MEANINGS.get(code, '')}.",
        "",
        "=== Timeline (failing periods by root cause) ===",
        "",
    ]
    if not spans:
        lines += ["Nothing failed or went unchecked during the window.", ""]
    for s in spans:
        lines.append(f"* **{describe_span(s, facts.duration_s)}**")
        lines.append(f"  {bracket(s)}")
        example = s.example
        if example:
            rid = example.get("request_id")
            first_round = min(p.start_round for p in s.periods)
            lines.append(
                f"  first failing round {first_round}: `{example.get('id')}` {example.get('url')}"
                + (f" (request id {rid})" if rid else "")
            )
            evidence = example.get("artifacts") or {}
            if evidence:
                lines.append("  evidence: " + ", ".join(f"{k} {v}" for k, v in evidence.items()))
        for p in s.periods:
            end = offset(p.end_s) if p.end_s is not None else "end"
            lines.append(f"  - `{p.check}` {offset(p.start_s)} → {end}")
    if spans:
        lines.append("")
    lines += _transition_table(facts.timeline)
    lines += _round_table(facts.rounds)
    last = [CheckResult(**facts.latest[c]) for c in sorted(facts.latest)]
    last_round = render_summary(last, dict(meta)).split("\n", 1)
    lines += ["=== Last observation of every check ===", "", last_round[-1].lstrip("\n")]
    return "\n".join(lines).rstrip() + "\n"


def _transition_table(timeline: list[Transition]) -> list[str]:
    if not timeline:
        return []
    lines = [
        "=== Transitions ===",
        "",
        "| at | round | check | change | problem |",
        "|---|---|---|---|---|",
    ]
    for t in timeline[:TABLE_ROWS]:
        change = f"{t.before} → {t.after}" if t.before else t.after
        problem = shorten(t.problem).replace("|", "\\|")
        lines.append(f"| {offset(t.at_s)} | {t.round} | `{t.check}` | {change} | {problem} |")
    if len(timeline) > TABLE_ROWS:
        lines.append(f"… {len(timeline) - TABLE_ROWS} more in results.json (`timeline`)")
    return [*lines, ""]


def _round_table(rounds: list[dict[str, Any]]) -> list[str]:
    lines = ["=== Rounds ===", "", "| round | start | duration | outcomes |", "|---|---|---|---|"]
    for r in rounds[:TABLE_ROWS]:
        counts: dict[str, int] = {}
        for outcome in r["outcomes"].values():
            counts[outcome] = counts.get(outcome, 0) + 1
        shown = ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))
        partial = "" if r.get("complete") else " (partial)"
        took = f"{r['duration_s']:.1f} s{partial}"
        lines.append(f"| {r['round']} | {offset(r['offset_s'])} | {took} | {shown} |")
    if len(rounds) > TABLE_ROWS:
        lines.append(f"… {len(rounds) - TABLE_ROWS} more in results.json (`rounds`)")
    return [*lines, ""]


def closing_lines(run_dir: Path, facts: WatchFacts, spans: list[CauseSpan]) -> list[str]:
    durations = [float(r["duration_s"]) for r in facts.rounds if r.get("complete")]
    took = f"; rounds took {min(durations):.1f} to {max(durations):.1f} s" if durations else ""
    rounds = f"{len(facts.rounds)} round{'s' if len(facts.rounds) != 1 else ''}"
    lines = [f"smoke watch: {rounds} over {span(facts.duration_s)}{took}"]
    if spans:
        lines.append("failing periods:")
        lines += [f"  {describe_span(s, facts.duration_s)}" for s in spans]
    else:
        lines.append("nothing failed or went unchecked")
    lines.append(f"reports: {run_dir}/ (summary.md, results.json, junit.xml)")
    return lines
