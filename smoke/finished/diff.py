"""Run-to-run diff: what changed between a BASE run and a HEAD run, check by check.

Pure functions over check records (the dicts of results.json, or :class:`CheckResult`\\ s):
``diff_runs`` classifies, ``render_diff`` writes the paste-ready report, ``baseline_exit_code``
turns "only what is new" into smoke's exit codes.

Outcomes: ``failed`` and ``broken`` are *bad*; ``passed`` and ``flaky`` (passed after retries)
are *good*; ``skipped``, ``known`` (a failure quarantined by a known issue: it does not fail a
run, so it is no new failure either) and anything unknown are neither, so a check moving to or
from them is never a new failure nor a fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from smoke.model.exit_codes import ExitCode
from smoke.model.findings import problem_line
from smoke.model.outcome import Outcome
from smoke.output.causes import group_causes
from smoke.output.results import CheckResult, first_problem

FAILED, BROKEN, PASSED, FLAKY = Outcome.FAILED, Outcome.BROKEN, Outcome.PASSED, Outcome.FLAKY
BAD = frozenset({FAILED, BROKEN})
GOOD = frozenset({PASSED, FLAKY})

CheckLike = Mapping[str, Any] | CheckResult


@dataclass(frozen=True)
class Change:
    """One check seen in BASE and/or HEAD; ``None`` outcome = absent from that run."""

    id: str
    base: str | None
    head: str | None
    # What HEAD shows first (finding, error or skip reason); BASE's when the check disappeared.
    problem: str = ""
    url: str = ""
    request_id: str | None = None
    attempts: int = 1


@dataclass(frozen=True)
class RunDiff:
    """Every tuple is sorted by check id. ``flaky`` may overlap ``fixed``; ``appeared`` overlaps
    ``new_failures`` for new checks that fail: the sections answer different questions."""

    new_failures: tuple[Change, ...] = ()
    fixed: tuple[Change, ...] = ()
    still_failing: tuple[Change, ...] = ()
    flaky: tuple[Change, ...] = ()
    disappeared: tuple[Change, ...] = ()
    appeared: tuple[Change, ...] = ()
    # Root causes (smoke.output.causes) by their one-line description: a deploy that breaks 56
    # checks one way is one new cause.
    new_causes: tuple[str, ...] = ()
    gone_causes: tuple[str, ...] = ()
    still_causes: tuple[str, ...] = ()

    @property
    def has_new_failures(self) -> bool:
        return bool(self.new_failures)

    def to_dict(self) -> dict[str, list[Any]]:
        body: dict[str, list[Any]] = {
            name: [asdict(c) for c in getattr(self, name)] for name in SECTIONS
        }
        for name in CAUSE_SECTIONS:
            body[name] = list(getattr(self, name))
        return body


CAUSE_SECTIONS = ("new_causes", "gone_causes", "still_causes")
SECTIONS = ("new_failures", "fixed", "still_failing", "flaky", "disappeared", "appeared")


def _as_dict(check: CheckLike) -> Mapping[str, Any]:
    return asdict(check) if isinstance(check, CheckResult) else check


def _attempts(check: Mapping[str, Any]) -> int:
    """How many times the check was loaded: ``attempts`` is a list of attempt records in
    results.json, a plain count in older or hand-made records."""
    value = check.get("attempts", 1)
    if isinstance(value, list):
        return max(1, len(value))
    # bool is an int; `attempts: true` is not a count.
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def _retried_problem(check: Mapping[str, Any]) -> str:
    """For a check that passed on a retry: what went wrong the first time."""
    attempts = check.get("attempts")
    for attempt in attempts if isinstance(attempts, list) else []:
        if isinstance(attempt, Mapping) and attempt.get("outcome") not in (None, PASSED):
            number = attempt.get("number", "?")
            return f"attempt {number} {attempt['outcome']}: {attempt.get('first_problem', '')}"
    return ""


def is_flaky(check: Mapping[str, Any]) -> bool:
    """Outcome ``flaky``, or passed only after a retry (``attempts`` > 1)."""
    outcome = check.get("outcome")
    return outcome == FLAKY or (outcome == PASSED and _attempts(check) > 1)


def _by_id(checks: Iterable[CheckLike]) -> dict[str, Mapping[str, Any]]:
    # A run never holds an id twice; if a hand-edited one does, the later record wins.
    return {str(c["id"]): c for c in map(_as_dict, checks)}


def _change(
    check_id: str, base: Mapping[str, Any] | None, head: Mapping[str, Any] | None
) -> Change:
    shown = head if head is not None else base
    assert shown is not None
    return Change(
        id=check_id,
        base=str(base["outcome"]) if base is not None else None,
        head=str(head["outcome"]) if head is not None else None,
        problem=(_retried_problem(shown) if shown["outcome"] in GOOD else "")
        or first_problem(shown),
        url=str(shown.get("url") or ""),
        request_id=shown.get("request_id") or None,
        attempts=_attempts(head) if head is not None else 1,
    )


def diff_runs(base: Sequence[CheckLike], head: Sequence[CheckLike]) -> RunDiff:
    before, after = _by_id(base), _by_id(head)
    sections: dict[str, list[Change]] = {name: [] for name in SECTIONS}
    for check_id in sorted(before.keys() | after.keys()):
        old, new = before.get(check_id), after.get(check_id)
        change = _change(check_id, old, new)
        for name in _sections_of(change, new):
            sections[name].append(change)
    new_causes, gone_causes, still_causes = _cause_changes(base, head)
    return RunDiff(
        **{name: tuple(changes) for name, changes in sections.items()},
        new_causes=new_causes,
        gone_causes=gone_causes,
        still_causes=still_causes,
    )


def _cause_changes(
    base: Sequence[CheckLike], head: Sequence[CheckLike]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Causes only HEAD has, only BASE had, and both have — compared by cause id."""
    before = {c.id: c for c in group_causes([_as_dict(x) for x in base])}
    after = {c.id: c for c in group_causes([_as_dict(x) for x in head])}
    return (
        tuple(problem_line(c.kind, c.one_line()) for i, c in after.items() if i not in before),
        tuple(problem_line(c.kind, c.one_line()) for i, c in before.items() if i not in after),
        tuple(problem_line(c.kind, c.one_line()) for i, c in after.items() if i in before),
    )


def _sections_of(change: Change, head: Mapping[str, Any] | None) -> list[str]:
    names = []
    if change.base is None:
        names.append("appeared")
    if change.head is None:
        names.append("disappeared")
    if change.head in BAD:
        names.append("still_failing" if change.base in BAD else "new_failures")
    elif change.base in BAD and change.head in GOOD:
        names.append("fixed")
    if head is not None and is_flaky(head):
        names.append("flaky")
    return names


def baseline_exit_code(base: Sequence[CheckLike], head: Sequence[CheckLike]) -> int:
    """``smoke run --baseline``: judge only what is new in HEAD.

    1 if a check newly *failed* (a product defect), else 3 if one is newly *broken* (could not
    check), else 0 — failures the baseline already had do not fail the build again.
    """
    new = {change.head for change in diff_runs(base, head).new_failures}
    if FAILED in new:
        return ExitCode.DEFECT
    if BROKEN in new:
        return ExitCode.BROKEN
    return ExitCode.OK


# --- the report -----------------------------------------------------------------------------

_HEADINGS = {
    "new_failures": "New failures",
    "fixed": "Fixed",
    "still_failing": "Still failing",
    "flaky": "Flaky (passed after retries)",
    "disappeared": "Disappeared (in BASE, not in HEAD)",
    "appeared": "Appeared (in HEAD, not in BASE)",
}


def _transition(change: Change) -> str:
    return f"{change.base or 'absent'} → {change.head or 'absent'}"


def _lines_for(name: str, change: Change) -> list[str]:
    line = f"* `{change.id}` {_transition(change)}"
    if name == "new_failures":
        rid = f" (request id {change.request_id})" if change.request_id else ""
        return [f"{line} {change.url}{rid}".rstrip(), f"  {change.problem}"]
    if name == "still_failing":
        return [line, f"  {change.problem}"] if change.problem else [line]
    if name == "flaky":
        tries = f", {change.attempts} attempts" if change.attempts > 1 else ""
        line = f"* `{change.id}` {change.head}{tries}"
        return [line, f"  {change.problem}"] if change.problem else [line]
    return [line]


_CAUSE_HEADINGS = {
    "new_causes": "New causes",
    "gone_causes": "Causes gone",
    "still_causes": "Causes still present",
}


def counts_line(diff: RunDiff) -> str:
    parts = [
        f"{len(getattr(diff, name))} {_HEADINGS[name].split(' (')[0].lower()}" for name in SECTIONS
    ]
    return ", ".join(parts) + "."


def render_diff(diff: RunDiff, base_name: str, head_name: str, notes: Sequence[str] = ()) -> str:
    """Markdown ready to paste into a Phabricator task (same style as summary.md)."""
    lines = [f"== smoke diff {base_name} → {head_name} ==", "", counts_line(diff), ""]
    for name, heading in _CAUSE_HEADINGS.items():
        causes: tuple[str, ...] = getattr(diff, name)
        if causes:
            lines += [f"=== {heading} ===", "", *(f"* {cause}" for cause in causes), ""]
    if not any(getattr(diff, name) for name in SECTIONS if name != "still_failing"):
        lines += ["No check changed outcome.", ""]
    for name in SECTIONS:
        changes: tuple[Change, ...] = getattr(diff, name)
        if not changes:
            continue
        lines += [f"=== {_HEADINGS[name]} ===", ""]
        for change in changes:
            lines += _lines_for(name, change)
        lines.append("")
    lines += [f"Note: {note}" for note in notes]
    return "\n".join(lines).rstrip() + "\n"
