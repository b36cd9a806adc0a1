"""wikis.yaml as pytest collects it: one item per check; setup loads and judges, call reports.

Each check's page load happens in the item's *setup* (a :class:`~smoke.model.findings.CouldNotCheck`
there is a pytest error → "broken" in JUnit and Allure); the judgement is raised in the *call*
(findings raise an AssertionError → "failed").
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from smoke.config import ConfigError
from smoke.execute.cause_budget import CauseBudget
from smoke.execute.give_up import DEFAULT_THRESHOLD, GiveUp
from smoke.execute.learned_timeout import LearnedTimeouts, learn
from smoke.model.checks import Check
from smoke.model.findings import CouldNotCheck, Finding, NotLoaded, error_record_of
from smoke.model.outcome import Outcome
from smoke.model.record import PageRecord
from smoke.model.values import DEFAULT_EVIDENCE_PER_CAUSE
from smoke.output import allure_labels
from smoke.output.causes import cause_text
from smoke.output.results import CheckResult
from smoke.plan.planner import Plan, PlanOptions, make_plan
from smoke.plan.safety import Resolve
from smoke.plan.shard import parse_shard
from smoke.run.stash import (
    BROWSER_KEY,
    CAUSES_KEY,
    DEADLINE_KEY,
    GIVE_UP_KEY,
    LEARNED_KEY,
    PLAN_KEY,
    RUN_DIR_KEY,
)

if TYPE_CHECKING:
    from smoke.browser.worker import WorkerBrowser
    from smoke.execute.attempts import Execution


class CheckFailed(AssertionError):
    """The wiki showed findings: a product defect (pytest/JUnit/Allure "failed")."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f.one_line() for f in findings))
        self.findings = findings


def plan_options(config: pytest.Config, config_path: Path) -> PlanOptions:
    detectors = config.getoption("detectors")
    shard = config.getoption("shard")
    durations = config.getoption("shard_durations")
    testbed_dir = config.getoption("testbed_dir")
    return PlanOptions(
        config_path=config_path,
        target=config.getoption("target"),
        wikis=tuple(config.getoption("wiki")),
        pages=tuple(config.getoption("page")),
        variants=tuple(config.getoption("variant")),
        testbed_dir=Path(testbed_dir) if testbed_dir else None,
        navigation_timeout=config.getoption("navigation_timeout"),
        ready_timeout=config.getoption("ready_timeout"),
        detectors=tuple(d.strip() for d in detectors.split(",") if d.strip()) if detectors else (),
        retries=config.getoption("retries"),
        max_per_host=config.getoption("max_per_host"),
        allow_production=config.getoption("allow_production"),
        shard=parse_shard(shard) if shard else None,
        shard_durations=json.loads(Path(durations).read_text("utf-8")) if durations else None,
        reports_dir=Path(config.getoption("reports_dir")),
        full_loads=bool(config.getoption("full_loads")),
    )


class SmokeConfigProblem(Exception):
    """Wraps ConfigError during collection so pytest shows one line, not a traceback."""


class SmokeFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            plan = make_plan(plan_options(self.config, self.path))
        except ConfigError as exc:
            raise SmokeConfigProblem(str(exc)) from None
        plan.deadline_at = self.config.stash.get(DEADLINE_KEY, None)
        self.config.stash[PLAN_KEY] = plan
        for check in plan.checks:
            yield SmokeItem.from_parent(self, name=check.id, check=check)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, SmokeConfigProblem):
            return f"smoke: bad configuration: {excinfo.value}"
        return str(super().repr_failure(excinfo))


class SmokeItem(pytest.Item):
    """One check. setup = load and judge (with retries); call = report the judgement."""

    def __init__(self, *, check: Check, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.execution: Execution | None = None
        self.result: CheckResult | None = None
        self.started = 0.0
        self.started_wall = 0.0
        for keyword in (check.wiki, check.page.value, check.target):
            self.keywords[keyword] = True

    @property
    def plan(self) -> Plan:
        return self.config.stash[PLAN_KEY]

    @property
    def record(self) -> PageRecord | None:
        return self.execution.final.record if self.execution else None

    def setup(self) -> None:
        from smoke.execute.attempts import execute, result_of

        self.started, self.started_wall = time.monotonic(), time.time()
        allure_labels.label_test(self.check)
        if self.check.skip_reason:
            pytest.skip(self.check.skip_reason)
        give_up = give_up_of(self.config)
        reason = give_up.reason_not_to_load(self.check)
        if reason is not None:
            allure_labels.label_outcome(
                Outcome.BROKEN.value,
                0,
                cause=cause_text(
                    {
                        "outcome": Outcome.BROKEN.value,
                        "error": error_record_of(reason),
                        "wiki": self.check.wiki,
                        "page": self.check.page.value,
                    }
                ),
            )
            raise reason  # broken, with the reason; nothing is loaded, no retry is spent
        self.execution = execute(
            self.check,
            self.plan,
            worker_browser(self.config),
            self.config.stash[RUN_DIR_KEY],
            keep_evidence=self.config.getoption("screenshots"),
            may_retry=lambda error: give_up.may_retry(self.check, error),
            on_attempt=lambda error: give_up.record(self.check, error),
            causes=causes_of(self.config),
            learned=learned_of(self.config, give_up),
        )
        # The result record is made once, here; the report hook writes it (plugin.py).
        self.result = result_of(
            self.execution, worker=os.environ.get("PYTEST_XDIST_WORKER", "main")
        )
        known = self.execution.verdict.known
        allure_labels.label_outcome(
            self.execution.outcome.value,
            len(self.execution.attempts),
            known.task if known is not None else None,
            known.url if known is not None else None,
            cause=cause_text(asdict(self.result)),
        )
        final = self.execution.final
        if final.error is not None:
            if self.execution.outcome is Outcome.KNOWN:
                pytest.xfail(_known_reason(self.execution))
            raise final.error  # could not check: a pytest error, "broken" in JUnit and Allure

    def runtest(self) -> None:
        execution = self.execution
        assert execution is not None
        outcome = execution.outcome
        if outcome is Outcome.KNOWN:
            pytest.xfail(_known_reason(execution))
        if outcome is Outcome.FAILED:
            raise CheckFailed(execution.findings)
        if outcome is Outcome.FLAKY and self.config.getoption("fail_on_flaky"):
            raise CheckFailed([execution.flaky_finding()])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        error = excinfo.value
        if isinstance(error, CheckFailed):
            lines = [f"{self.check.id}: {len(error.findings)} finding(s) at {self.check.url}"]
            if self.record and self.record.mw_config.request_id:
                lines.append(f"request id: {self.record.mw_config.request_id}")
            lines += [f"  {f.one_line()}" for f in error.findings]
            return "\n".join(lines)
        if isinstance(error, CouldNotCheck):
            return could_not_check_line(self.check, error)
        return str(super().repr_failure(excinfo))

    def _repr_failure_py(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> Any:
        # pytest renders a setup error's traceback here, source and all (~0.1-0.5 s each): a
        # could-not-check is one line instead (the traceback goes to tracebacks/, see plugin).
        if isinstance(excinfo.value, CouldNotCheck):
            return could_not_check_line(self.check, excinfo.value)
        return super()._repr_failure_py(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.check.id


def could_not_check_line(check: Check, error: CouldNotCheck) -> str:
    """One line: what (check), where (URL), why (kind, message), and the hint when useful."""
    hint = f" — {error.hint}" if error.hint and not isinstance(error, NotLoaded) else ""
    where = "" if check.url in str(error) else f" {check.url}"
    return f"{check.id}: could not check ({error.kind}){where}: {error}{hint}"


def _known_reason(execution: Execution) -> str:
    known = execution.verdict.known
    assert known is not None
    return f"known issue {known.task} ({known.url}): {execution.final.problems()[0][1]}"


def give_up_of(config: pytest.Config) -> GiveUp:
    if GIVE_UP_KEY not in config.stash:
        plan = config.stash.get(PLAN_KEY, None)
        threshold = plan.give_up_after if plan is not None else DEFAULT_THRESHOLD
        config.stash[GIVE_UP_KEY] = GiveUp(
            config.stash[RUN_DIR_KEY], threshold, config.stash.get(DEADLINE_KEY, None)
        )
    return config.stash[GIVE_UP_KEY]


def causes_of(config: pytest.Config) -> CauseBudget:
    """The run's cause budget (evidence and retries per root cause), shared by all workers."""
    if CAUSES_KEY not in config.stash:
        plan = config.stash.get(PLAN_KEY, None)
        per_cause = config.getoption("evidence_per_cause") or (
            plan.config.evidence_per_cause if plan is not None else DEFAULT_EVIDENCE_PER_CAUSE
        )
        config.stash[CAUSES_KEY] = CauseBudget(config.stash[RUN_DIR_KEY], per_cause)
    return config.stash[CAUSES_KEY]


def learned_of(config: pytest.Config, give_up: GiveUp) -> LearnedTimeouts:
    """Navigation limits learned from the last runs of the target (read once per process)."""
    if LEARNED_KEY not in config.stash:
        plan = config.stash[PLAN_KEY]
        config.stash[LEARNED_KEY] = LearnedTimeouts(
            learn(plan.options.reports_dir, plan.target),
            give_up,
            lambda check: plan.capture_settings(check.wiki).navigation_timeout_s,
        )
    return config.stash[LEARNED_KEY]


def worker_browser(config: pytest.Config) -> WorkerBrowser:
    from smoke.browser.worker import WorkerBrowser

    if BROWSER_KEY not in config.stash:
        config.stash[BROWSER_KEY] = WorkerBrowser(
            run_dir=config.stash[RUN_DIR_KEY],
            browser_path=config.getoption("browser_path"),
            headed=config.getoption("headed"),
            browser_endpoint=config.getoption("browser_endpoint"),
            cdp_endpoint=config.getoption("cdp_endpoint"),
            resolves=tuple(Resolve.parse(r) for r in config.getoption("resolve")),
            max_per_host=config.stash[PLAN_KEY].max_per_host,
            tracing=config.getoption("tracing"),
        )
    return config.stash[BROWSER_KEY]
