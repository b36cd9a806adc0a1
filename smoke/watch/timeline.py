"""What a watch saw, as data: transitions, failing periods, causes over time, the exit code.

Pure functions over plain values (no browser, no processes, no clock), so every rule of
``smoke watch`` reads in one place and is tested on hand-built rounds:

- a check's *state* is its outcome, with flaky folded into passed (it passed in the end);
- a *transition* is a check whose state differs from its previous observation; the first round
  has no previous observation, so only its checks that did not pass enter the timeline;
- a *failing period* runs from a check's first observation in failed (or broken) to its first
  observation in another state; it is bracketed by the observations around it, so the real start
  and end lie within one interval (plus one round) of what is reported;
- periods of different checks that share a root cause (:mod:`smoke.output.causes`) and overlap
  in time are one *cause span*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from smoke.model.exit_codes import ExitCode
from smoke.model.findings import problem_line
from smoke.model.outcome import Outcome
from smoke.output.causes import cause_id, cause_key
from smoke.output.problems import problem_parts

BAD_STATES = (Outcome.FAILED.value, Outcome.BROKEN.value)
# A check that failed during the window "recovered" when its last observation is one of these.
RECOVERED_STATES = (Outcome.PASSED.value, Outcome.KNOWN.value, Outcome.SKIPPED.value)
PROBLEM_CHARS = 110  # how much of a problem a console line shows


def state_of(outcome: str) -> str:
    """The state transitions are about: flaky (failed, then passed on a retry) is passed."""
    return Outcome.PASSED.value if outcome == Outcome.FLAKY.value else outcome


def offset(seconds: float) -> str:
    """Seconds since the watch started as ``+MM:SS`` (``+H:MM:SS`` past an hour)."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"+{hours}:{minutes:02}:{secs:02}" if hours else f"+{minutes:02}:{secs:02}"


def span(seconds: float) -> str:
    """A duration for people: ``42 s``, ``3:05`` (min:s) or ``1:02:05``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    return offset(whole)[1:]


def problem_of(record: Mapping[str, Any]) -> str:
    """The first problem of a results.json record, as ``[detector] message`` (or error kind)."""
    parts = problem_parts(record)
    return problem_line(*parts) if parts else str(record.get("skip_reason") or "")


def shorten(text: str, limit: int = PROBLEM_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 2].rstrip() + " …"


@dataclass
class Round:
    """One round: when it started, how long it took, the outcome of each check it saw."""

    number: int
    offset_s: float  # when it started, in seconds since the watch started
    started_at: str
    duration_s: float = 0.0
    outcomes: dict[str, str] = field(default_factory=dict)
    complete: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.number,
            "started_at": self.started_at,
            "offset_s": round(self.offset_s, 1),
            "duration_s": round(self.duration_s, 2),
            "complete": self.complete,
            "outcomes": dict(sorted(self.outcomes.items())),
        }


@dataclass(frozen=True)
class Transition:
    """A check seen in a new state (``before`` None: its first observation, not passed)."""

    check: str
    before: str | None
    after: str
    at_s: float  # seconds since the watch started, when the result arrived
    round: int
    previous_at_s: float | None = None  # when ``before`` was last observed
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "from": self.before,
            "to": self.after,
            "at_s": round(self.at_s, 1),
            "round": self.round,
            "previous_at_s": None if self.previous_at_s is None else round(self.previous_at_s, 1),
            "problem": self.problem,
        }

    def line(self) -> str:
        """The console line, e.g. ``+04:10 ruwiki/recentchanges/plain passed → failed (…)``."""
        head = f"{offset(self.at_s)} {self.check}"
        detail = f" ({shorten(self.problem)})" if self.problem else ""
        if self.before is None:
            return f"{head} {self.after}{detail}"
        recovered = self.after not in BAD_STATES and self.before in BAD_STATES
        if recovered and self.previous_at_s is not None:
            detail = f" (last seen {self.before} at {offset(self.previous_at_s)})"
        return f"{head} {self.before} → {self.after}{detail}"


def observe(
    check: str,
    previous: tuple[str, float] | None,
    outcome: str,
    *,
    at_s: float,
    round_number: int,
    problem: str = "",
) -> Transition | None:
    """The transition this observation makes, given the check's previous (state, at_s)."""
    state = state_of(outcome)
    shown = problem if state != Outcome.PASSED.value else ""
    if previous is None:
        if state in (Outcome.PASSED.value, Outcome.SKIPPED.value):
            return None
        return Transition(check, None, state, at_s, round_number, None, shown)
    if previous[0] == state:
        return None
    return Transition(check, previous[0], state, at_s, round_number, previous[1], shown)


def is_new_failure(transition: Transition | None) -> bool:
    """--exit-on-failure: failed now, and not failed in the previous round (or no round yet)."""
    return transition is not None and transition.after == Outcome.FAILED.value


@dataclass(frozen=True)
class Period:
    """A check continuously in one bad state (failed or broken)."""

    check: str
    state: str
    start_s: float  # first observation in the state
    start_round: int
    before_s: float | None  # the observation before (another state); None: from the start
    last_s: float  # last observation in the state
    end_s: float | None = None  # first observation after, in another state; None: at the end
    end_round: int | None = None

    @property
    def ongoing(self) -> bool:
        return self.end_s is None

    def duration_s(self, watch_end_s: float) -> float:
        return (self.end_s if self.end_s is not None else watch_end_s) - self.start_s


def build_periods(timeline: Sequence[Transition], last_seen: Mapping[str, float]) -> list[Period]:
    """Failing periods from the timeline; ``last_seen``: each check's last observation."""
    open_: dict[str, Period] = {}
    done: list[Period] = []
    for t in timeline:
        current = open_.pop(t.check, None)
        if current is not None:
            done.append(
                Period(
                    current.check,
                    current.state,
                    current.start_s,
                    current.start_round,
                    current.before_s,
                    t.previous_at_s if t.previous_at_s is not None else current.start_s,
                    t.at_s,
                    t.round,
                )
            )
        if t.after in BAD_STATES:
            open_[t.check] = Period(t.check, t.after, t.at_s, t.round, t.previous_at_s, t.at_s)
    for check, current in open_.items():
        last = max(last_seen.get(check, current.start_s), current.start_s)
        done.append(
            Period(
                check,
                current.state,
                current.start_s,
                current.start_round,
                current.before_s,
                last,
            )
        )
    return sorted(done, key=lambda p: (p.start_s, p.check))


@dataclass
class CauseSpan:
    """Periods of checks that went wrong the same way at overlapping times."""

    id: str
    outcome: str
    problem: str
    periods: list[Period] = field(default_factory=list)
    example: Mapping[str, Any] = field(default_factory=dict)  # first failing round's record

    @property
    def start_s(self) -> float:
        return min(p.start_s for p in self.periods)

    @property
    def before_s(self) -> float | None:
        befores = [p.before_s for p in self.periods if p.before_s is not None]
        return min(befores) if len(befores) == len(self.periods) else None

    @property
    def end_s(self) -> float | None:
        if any(p.ongoing for p in self.periods):
            return None
        return max(p.end_s for p in self.periods if p.end_s is not None)

    @property
    def last_s(self) -> float:
        return max(p.last_s for p in self.periods)

    @property
    def checks(self) -> list[str]:
        return sorted({p.check for p in self.periods})


def cause_spans(
    periods: Sequence[Period], first_records: Mapping[tuple[str, int], Mapping[str, Any]]
) -> list[CauseSpan]:
    """Group periods by root cause (the record of each period's first round) and time overlap.

    ``first_records`` maps (check id, round) to the results.json record of that observation.
    """
    by_key: dict[str, list[tuple[Period, Mapping[str, Any]]]] = {}
    for period in periods:
        record = first_records.get((period.check, period.start_round), {})
        key = cause_key(record) if record else None
        if key is None:  # no record kept: the state and nothing else
            key = f"{period.state}|?|{period.check}"
        by_key.setdefault(key, []).append((period, record))
    spans: list[CauseSpan] = []
    for key, members in by_key.items():
        members.sort(key=lambda m: m[0].start_s)
        current: CauseSpan | None = None
        for period, record in members:
            if current is not None and (current.end_s is None or period.start_s <= current.end_s):
                current.periods.append(period)
                continue
            current = CauseSpan(
                cause_id(key), period.state, problem_of(record) if record else "", [period], record
            )
            spans.append(current)
    return sorted(spans, key=lambda s: (s.start_s, s.id))


def watch_exit_code(
    rounds: Sequence[Mapping[str, str]], *, interrupted: bool = False, stopped: bool = False
) -> ExitCode:
    """The exit code of a watch from its rounds (check id → outcome; a partial last round is
    fine: a check it lacks keeps its earlier outcome). ``stopped``: --exit-on-failure fired."""
    if interrupted:
        return ExitCode.INTERRUPTED
    if stopped:
        return ExitCode.DEFECT
    last: dict[str, str] = {}
    failed: set[str] = set()
    broken = False
    for outcomes in rounds:
        for check, outcome in outcomes.items():
            state = state_of(outcome)
            last[check] = state
            failed |= {check} if state == Outcome.FAILED.value else set()
            broken = broken or state == Outcome.BROKEN.value
    if any(last[check] not in RECOVERED_STATES for check in failed):
        return ExitCode.DEFECT
    if failed:
        return ExitCode.RECOVERED
    return ExitCode.BROKEN if broken else ExitCode.OK


def overrun_message(number: int, duration_s: float, every_s: float) -> str | None:
    """What to say when a round took longer than the interval (the next starts at once)."""
    if duration_s <= every_s:
        return None
    startup = " (it included starting the browsers and logging in)" if number == 1 else ""
    return (
        f"round {number} took {duration_s:.1f} s, longer than --every {every_s:g} s{startup}; "
        "the next round starts now (rounds never overlap)"
    )
