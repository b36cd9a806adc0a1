"""Executing one check: attempts (retries), judgement, known issues, evidence.

Kept apart from pytest so the rules read in one place:

- an attempt loads the page and runs the detectors; a failed or broken attempt is retried up to
  ``plan.retries`` times, and the evidence of every unsuccessful attempt is kept;
- with a cause budget (:mod:`smoke.execute.cause_budget`): a failure whose cause two other checks
  already ended with is not retried, and only the first checks of each cause keep evidence;
- the last attempt decides: passed (or **flaky** when an earlier attempt was not), failed, broken;
- a failure covered by a known issue in force is **known**; an expired entry that would have
  covered it adds a finding of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from smoke.browser.login import session_secrets
from smoke.execute.cause_budget import CauseBudget
from smoke.execute.learned_timeout import LearnedTimeouts
from smoke.judge.detectors import run_detectors
from smoke.judge.known_issues import Verdict, judge
from smoke.model.checks import ORES_MODELS, Check
from smoke.model.findings import (
    CouldNotCheck,
    Finding,
    NavigationTimeout,
    error_record_of,
    problem_line,
)
from smoke.model.outcome import Outcome
from smoke.model.record import PageRecord
from smoke.output import evidence
from smoke.output.causes import cause_key
from smoke.output.evidence import EvidenceSource
from smoke.output.results import CheckResult, finding_dicts, result_for
from smoke.plan.loading import Loading
from smoke.plan.planner import Plan


class CheckBrowser(EvidenceSource, Protocol):
    """What executing a check needs of a browser: load pages, trace attempts, keep evidence.

    :class:`smoke.browser.worker.WorkerBrowser` is the real one; tests pass a scripted stand-in.
    """

    def load(
        self,
        check: Check,
        plan: Plan,
        *,
        trace: bool = False,
        full: bool = False,
        navigation_timeout: float | None = None,
    ) -> PageRecord:
        """The record of one attempt; raises CouldNotCheck when the page could not be checked.

        ``full``: from its URL, never in the page's filters app (docs/loading.md).
        ``navigation_timeout``: a shorter, learned limit than the plan's for this load."""

    def judged(self, ok: bool) -> None:
        """Whether the check just loaded passed (its page may then serve in-app variants)."""

    def wants_trace(self, attempt: int) -> bool:
        """Whether attempt number ``attempt`` (1-based) should be traced."""

    def discard_trace(self) -> None:
        """Drop the current attempt's trace, if one is open, without writing it."""


@dataclass
class Attempt:
    number: int
    record: PageRecord | None = None
    findings: list[Finding] = field(default_factory=list)
    error: CouldNotCheck | None = None
    artifacts: dict[str, str] = field(default_factory=dict)
    # The checks that hold this cause's evidence when this attempt's was withheld (budget spent).
    evidence_held_by: list[str] = field(default_factory=list)
    # What the in-app load of this attempt found, which its full load then judged (or "").
    in_app_finding: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and not self.findings

    @property
    def outcome(self) -> Outcome:
        if self.error is not None:
            return Outcome.BROKEN
        return Outcome.FAILED if self.findings else Outcome.PASSED

    def problems(self) -> list[tuple[str, str]]:
        pairs = [(f.detector, f.message) for f in self.findings]
        if self.error is not None:
            pairs.append((self.error.kind, str(self.error)))
        return pairs


@dataclass
class Execution:
    check: Check
    attempts: list[Attempt]
    verdict: Verdict
    extra_findings: list[Finding] = field(default_factory=list)
    # The failure's cause was already confirmed by other checks: final without a retry.
    confirmed_cause: bool = False
    # The learned navigation limit (s) a load went over before the full-timeout load (None: no).
    learned_limit_tripped: float | None = None

    @property
    def final(self) -> Attempt:
        return self.attempts[-1]

    @property
    def findings(self) -> list[Finding]:
        return self.final.findings + self.extra_findings

    def flaky_finding(self) -> Finding:
        """What --fail-on-flaky reports for a check that passed only on a retry."""
        first = self.attempts[0]
        return Finding(
            "flaky",
            f"passed on attempt {len(self.attempts)} after a {first.outcome.value} attempt "
            "(--fail-on-flaky)",
            dict(first.problems()),
        )

    @property
    def outcome(self) -> Outcome:
        final = self.final
        if final.ok:
            return Outcome.FLAKY if len(self.attempts) > 1 else Outcome.PASSED
        if self.verdict.known is not None:
            return Outcome.KNOWN
        return Outcome.BROKEN if final.error is not None else Outcome.FAILED


def execute(
    check: Check,
    plan: Plan,
    browser: CheckBrowser,
    run_dir: Path,
    *,
    keep_evidence: str = "on-failure",
    today: date | None = None,
    may_retry: Callable[[CouldNotCheck | None], bool] = lambda error: True,
    on_attempt: Callable[[CouldNotCheck | None], None] = lambda error: None,
    causes: CauseBudget | None = None,
    learned: LearnedTimeouts | None = None,
) -> Execution:
    """Load and judge ``check``, retrying up to ``plan.retries`` times.

    ``on_attempt`` hears how each attempt ended (None: the page answered); ``may_retry`` is
    asked before a retry, with the failed attempt's could-not-check error (the give-up rule:
    a timeout is counted, not retried, and a page that stopped answering is not retried).
    ``causes``, when given, is the run's cause budget: no retry for a confirmed cause, evidence
    for the first checks of each cause only (``keep_evidence="always"`` keeps everything).
    """
    today = today or date.today()
    attempts: list[Attempt] = []
    confirmed = False
    tripped: float | None = None
    limit = learned.limit(check) if learned is not None else None
    for number in range(1, plan.retries + 2):
        attempt = _attempt(number, check, plan, browser, limit)
        if limit is not None and isinstance(attempt.error, NavigationTimeout):
            # Over the learned limit: a suspicion, not a verdict. That load is no attempt; the
            # full timeout decides (slow but healthy, or hung: learned_timeout.py).
            assert learned is not None
            tripped = limit
            browser.discard_trace()
            attempt = _attempt(number, check, plan, browser, None)
            learned.second_opinion(check, attempt.error)
        limit = None  # a retry gets the full timeout
        attempts.append(attempt)
        on_attempt(attempt.error)
        if attempt.ok:
            break
        if number > plan.retries or not may_retry(attempt.error):
            break  # the last attempt: its evidence (and trace) is kept below
        cause = attempt_cause(check, attempt)
        if causes is not None and cause is not None and causes.confirmed(cause, check.id):
            confirmed = True  # two other checks ended this way: a retry would tell nothing
            break
        if keep_evidence != "never":
            # The page is reused by the next attempt: keep this one's evidence now.
            _keep(attempt, check, plan, browser, run_dir, keep_evidence, causes, number)
        browser.discard_trace()
    final = attempts[-1]
    verdict = judge(check, final.problems(), plan.known_issues(), today)
    execution = Execution(
        check,
        attempts,
        verdict,
        verdict.expired_findings(today),
        confirmed_cause=confirmed,
        learned_limit_tripped=tripped,
    )
    if (not final.ok and keep_evidence != "never") or keep_evidence == "always":
        _keep(final, check, plan, browser, run_dir, keep_evidence, causes)
    if causes is not None and not final.ok:
        cause = attempt_cause(check, final)
        if cause is not None:
            causes.ended(cause, check.id)
    browser.discard_trace()  # a passing check's trace chunk is dropped, never written
    return execution


def _keep(
    attempt: Attempt,
    check: Check,
    plan: Plan,
    browser: CheckBrowser,
    run_dir: Path,
    keep_evidence: str,
    causes: CauseBudget | None,
    number: int | None = None,
) -> None:
    """Keep the attempt's evidence, unless the cause budget says its cause has enough."""
    cause = attempt_cause(check, attempt)
    if causes is not None and cause is not None and keep_evidence != "always":
        granted, holders = causes.claim_evidence(cause, check.id)
        if not granted:
            attempt.evidence_held_by = holders
            evidence.note_withheld(holders, causes.per_cause)
            return
    attempt.artifacts = evidence.keep_evidence(
        run_dir, check, attempt.record, browser, _secrets(plan, run_dir), attempt=number
    )


def attempt_cause(check: Check, attempt: Attempt) -> str | None:
    """The root cause of one unsuccessful attempt, as results.json would group it."""
    if attempt.ok:
        return None
    alone = Execution(check, [attempt], Verdict())
    return cause_key(asdict(result_of(alone, worker="")))


def _secrets(plan: Plan, run_dir: Path) -> tuple[str, ...]:
    # Read when evidence is written: the session may have been created by this very check.
    return (*plan.secrets(), *session_secrets(run_dir))


def _attempt(
    number: int, check: Check, plan: Plan, browser: CheckBrowser, limit: float | None = None
) -> Attempt:
    trace = browser.wants_trace(number)
    in_app_finding = ""
    try:
        record = browser.load(check, plan, trace=trace, navigation_timeout=limit)
        findings = run_detectors(record, check.expectation, enabled=plan.enabled_detectors)
        if findings and record.loaded == Loading.IN_APP:
            # A finding is only ever judged on a page loaded from its URL, as without the
            # in-app path: the same detectors speak, on the same record (docs/loading.md).
            in_app_finding = problem_line(findings[0].detector, findings[0].message)
            record = browser.load(check, plan, trace=trace, full=True, navigation_timeout=limit)
            findings = run_detectors(record, check.expectation, enabled=plan.enabled_detectors)
    except CouldNotCheck as exc:
        browser.judged(False)
        return Attempt(number, error=exc, in_app_finding=in_app_finding)
    browser.judged(not findings)
    return Attempt(number, record=record, findings=findings, in_app_finding=in_app_finding)


def result_of(execution: Execution, *, worker: str) -> CheckResult:
    """The result file's record of an executed check."""
    check, final = execution.check, execution.final
    record = final.record
    error = final.error
    known = execution.verdict.known
    return result_for(
        check,
        execution.outcome.value,
        final_url=record.final_url if record else "",
        status=record.status if record else None,
        findings=finding_dicts(execution.findings),
        error=error_record_of(error) if error else None,
        request_id=record.mw_config.request_id if record else None,
        timings=dict(record.timings.__dict__) if record else {},
        worker=worker,
        artifacts=final.artifacts,
        attempts=[
            {
                "number": a.number,
                "outcome": a.outcome.value,
                "first_problem": a.problems()[0][1] if a.problems() else "",
                "request_id": a.record.mw_config.request_id if a.record else None,
                "artifacts": a.artifacts,
                **({"evidence_held_by": a.evidence_held_by} if a.evidence_held_by else {}),
                "loaded": a.record.loaded if a.record else "",
                "in_app_finding": a.in_app_finding,
            }
            for a in execution.attempts
        ],
        known_issue={"task": known.task, "url": known.url, "reason": known.reason or ""}
        if known
        else None,
        known_issues_stopped_failing=[e.task for e in execution.verdict.stopped_failing],
        ores_offered=ores_offered(record),
        ores_scored=ores_scored(record),
        loaded=record.loaded if record else "",
    )


def _loaded(record: PageRecord | None) -> PageRecord | None:
    if record is None or record.status is None or record.status >= 400:
        return None
    return record


def ores_scored(record: PageRecord | None) -> bool | None:
    """Whether a loaded page showed ORES scores, for the next run's drift comparison."""
    loaded = _loaded(record)
    return None if loaded is None else loaded.mw_config.ores_scored


def ores_offered(record: PageRecord | None) -> dict[str, list[str]] | None:
    """The ORES levels a loaded RC/WL page offered, for the next run's drift comparison."""
    record = _loaded(record)
    if record is None:
        return None
    groups = record.mw_config.filter_groups
    if groups is None:
        return None
    offered: dict[str, list[str]] = {}
    for group in groups:
        if group.name in ORES_MODELS:
            offered.setdefault(group.name, []).extend(group.filters)
    return offered
