"""The pytest plugin: wikis.yaml becomes one pytest item per check.

``pytest wikis.yaml -n 2 --target local`` and ``smoke run`` are the same run. Each check's page
load happens in the item's *setup* (a :class:`~smoke.model.findings.CouldNotCheck` there is a pytest
error → "broken" in JUnit and Allure); the detectors run in the *call* (findings raise an
AssertionError → "failed"). Workers write one result file per check; only the controller (the
process without ``workerinput``) writes run-level files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from smoke import __version__
from smoke.config import ConfigError
from smoke.model.checks import Check
from smoke.model.findings import CouldNotCheck, Finding
from smoke.model.outcome import Outcome
from smoke.model.record import PageRecord
from smoke.output import allure_labels
from smoke.output.environment import api_url, git_sha, siteinfo_version
from smoke.output.results import (
    CheckResult,
    finding_dicts,
    read_check_results,
    result_for,
    write_check_result,
    write_results_json,
)
from smoke.output.run_dir import new_run_dir
from smoke.output.summary import write_summary
from smoke.plan.planner import Plan, PlanOptions, make_plan
from smoke.plan.safety import Resolve
from smoke.plan.shard import parse_shard
from smoke.run import options

if TYPE_CHECKING:
    # Imported where a check runs, not here: under xdist the controller never drives a browser,
    # and Playwright's import alone costs it ~0.3 CPU-s.
    from smoke.browser.worker import WorkerBrowser
    from smoke.run.execution import Execution

PLAN_KEY = pytest.StashKey[Plan]()
BROWSER_KEY = pytest.StashKey["WorkerBrowser"]()
RUN_DIR_KEY = pytest.StashKey[Path]()
STARTED_KEY = pytest.StashKey[str]()


class CheckFailed(AssertionError):
    """The wiki showed findings: a product defect (pytest/JUnit/Allure "failed")."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f.one_line() for f in findings))
        self.findings = findings


# --- options --------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("smoke", "smoke: MediaWiki page-load smoke checks")
    options.add_to_pytest(group)
    group.addoption(
        "--shard-durations",
        default=None,
        metavar="FILE",
        help="JSON {check id: seconds} balancing --shard (default: the last runs in reports/)",
    )


def _smoke_args(config: pytest.Config) -> list[Path]:
    return [
        Path(a)
        for a in config.invocation_params.args
        if a.endswith((".yaml", ".yml")) and not a.startswith("-")
    ]


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _active(config: pytest.Config) -> bool:
    return bool(_smoke_args(config))


# --- run directory (controller) -------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not _active(config):
        return
    if _is_worker(config):
        run_dir = Path(config.workerinput["smoke_run_dir"])  # type: ignore[attr-defined]
        # Ctrl-C reaches every process of the terminal's group; only the controller acts on it
        # (it stops the workers and writes what finished), so a worker never records a check
        # as broken just because the user pressed Ctrl-C.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    else:
        run_dir = new_run_dir(Path(config.getoption("reports_dir")), config.getoption("run_id"))
        # Run-level report files belong to the controller; tell the built-in plugins where.
        if not config.option.xmlpath:
            config.option.xmlpath = str(run_dir / "junit.xml")
    config.stash[RUN_DIR_KEY] = run_dir
    config.stash[STARTED_KEY] = datetime.now(UTC).isoformat(timespec="seconds")
    if getattr(config.option, "allure_report_dir", None) is None:
        config.option.allure_report_dir = str(run_dir / "allure-results")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: hand every worker the run directory the controller made."""
    if RUN_DIR_KEY in node.config.stash:  # only when the session runs smoke checks
        node.workerinput["smoke_run_dir"] = str(node.config.stash[RUN_DIR_KEY])


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if not _active(config) or RUN_DIR_KEY not in config.stash:
        return None
    return [
        f"smoke {__version__}: target {config.getoption('target')}, "
        f"reports in {config.stash[RUN_DIR_KEY]}"
    ]


# --- collection -----------------------------------------------------------------------------


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    config = parent.config
    if file_path.suffix in (".yaml", ".yml") and any(
        file_path.resolve() == p.resolve() for p in _smoke_args(config)
    ):
        return SmokeFile.from_parent(parent, path=file_path)
    return None


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
    )


class SmokeConfigProblem(Exception):
    """Wraps ConfigError during collection so pytest shows one line, not a traceback."""


class SmokeFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            plan = make_plan(plan_options(self.config, self.path))
        except ConfigError as exc:
            raise SmokeConfigProblem(str(exc)) from None
        self.config.stash[PLAN_KEY] = plan
        for check in plan.checks:
            yield SmokeItem.from_parent(self, name=check.id, check=check)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, SmokeConfigProblem):
            return f"smoke: bad configuration: {excinfo.value}"
        return str(super().repr_failure(excinfo))


# --- items ----------------------------------------------------------------------------------


class SmokeItem(pytest.Item):
    """One check. setup = load and judge (with retries); call = report the judgement."""

    def __init__(self, *, check: Check, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.execution: Execution | None = None
        self.started = 0.0
        for keyword in (check.wiki, check.page.value, check.target):
            self.keywords[keyword] = True

    @property
    def plan(self) -> Plan:
        return self.config.stash[PLAN_KEY]

    @property
    def record(self) -> PageRecord | None:
        return self.execution.final.record if self.execution else None

    def setup(self) -> None:
        from smoke.run.execution import execute

        self.started = time.monotonic()
        allure_labels.label_test(self.check)
        if self.check.skip_reason:
            pytest.skip(self.check.skip_reason)
        self.execution = execute(
            self.check,
            self.plan,
            _worker_browser(self.config),
            self.config.stash[RUN_DIR_KEY],
            keep_evidence=self.config.getoption("screenshots"),
        )
        known = self.execution.verdict.known
        allure_labels.label_outcome(
            self.execution.outcome.value,
            len(self.execution.attempts),
            known.task if known is not None else None,
            known.url if known is not None else None,
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
            hint = f"\n  hint: {error.hint}" if error.hint else ""
            return f"{self.check.id}: could not check ({error.kind}): {error}{hint}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.check.id


def _known_reason(execution: Execution) -> str:
    known = execution.verdict.known
    assert known is not None
    return f"known issue {known.task} ({known.url}): {execution.final.problems()[0][1]}"


def _worker_browser(config: pytest.Config) -> WorkerBrowser:
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


# --- results --------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if isinstance(item, SmokeItem) and (
        call.when == "call" or (call.when == "setup" and not report.passed)
    ):
        _finish(item, call, report)
    return report


def _finish(item: SmokeItem, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    check, execution = item.check, item.execution
    if execution is None:  # skipped before running, or our own failure before the first attempt
        exc = call.excinfo.value if call.excinfo else None
        outcome = Outcome.SKIPPED if report.skipped else Outcome.BROKEN
        result = result_for(
            check,
            outcome.value,
            skip_reason=check.skip_reason,
            error=None
            if report.skipped
            else {"kind": type(exc).__name__, "message": str(exc), "hint": ""},
            worker=os.environ.get("PYTEST_XDIST_WORKER", "main"),
        )
    else:
        from smoke.run.execution import result_of

        result = result_of(execution, worker=os.environ.get("PYTEST_XDIST_WORKER", "main"))
        if report.failed and execution.outcome is Outcome.FLAKY:
            result.findings = finding_dicts([execution.flaky_finding()])
    result.duration_s = round(time.monotonic() - item.started, 3) if item.started else 0.0
    write_check_result(item.config.stash[RUN_DIR_KEY], result)


def _environment(results: list[CheckResult]) -> dict[str, str]:
    """MediaWiki version (siteinfo of one checked wiki, asked now) and smoke's git sha."""
    environment: dict[str, str] = {}
    reachable = [r for r in results if r.outcome not in ("broken", "skipped")]
    for result in reachable[:2]:  # bounded: a dead wiki must not stall the end of the run
        api = api_url(result.url)
        try:
            version = siteinfo_version(api) if api else ""
        except (OSError, ValueError):
            continue
        if version:
            environment["MediaWiki"] = version
            break
    sha = git_sha()
    if sha:
        environment["smoke git"] = sha
    return environment


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    browser = config.stash.get(BROWSER_KEY, None)
    if browser is not None:
        browser.close()
    if not _active(config) or _is_worker(config) or RUN_DIR_KEY not in config.stash:
        return
    run_dir = config.stash[RUN_DIR_KEY]
    results = read_check_results(run_dir)
    plan = config.stash.get(PLAN_KEY, None)
    if plan is None:  # under xdist the controller does not collect; workers did
        try:
            plan = make_plan(plan_options(config, _smoke_args(config)[0]))
        except ConfigError:
            plan = None
    meta: dict[str, Any] = {
        "run_id": run_dir.name,
        "started_at": config.stash.get(STARTED_KEY, ""),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": config.getoption("target"),
        "smoke_version": __version__,
        "interrupted": exitstatus == pytest.ExitCode.INTERRUPTED,
        "notes": plan.notes() if plan else [],
    }
    if plan is not None and plan.shard_meta is not None:
        meta["shard"] = plan.shard_meta
    meta["environment"] = _environment(results)
    write_results_json(run_dir, results, meta)
    write_summary(run_dir, results, meta)
    shutil.rmtree(run_dir / ".auth", ignore_errors=True)
    shutil.rmtree(run_dir / ".slots", ignore_errors=True)  # sessions are secrets: never kept
