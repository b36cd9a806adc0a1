"""The pytest plugin: wikis.yaml becomes one pytest item per check (:mod:`smoke.run.items`).

``pytest wikis.yaml -n 2 --target local`` and ``smoke run`` are the same run. Workers write one
result file per check; only the controller (the process without ``workerinput``) creates the run
directory and writes run-level files (:mod:`smoke.run.finish`).
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from smoke.config import ConfigError, load_config
from smoke.execute.end_of_run import RunFilesUnwritable
from smoke.execute.signals import (
    WORKER_STOP_SIGNALS,
    Stopper,
    raise_interrupt,
    stop_workers,
    worker_stopping,
)
from smoke.model.findings import CouldNotCheck, NotLoaded, error_record_of
from smoke.model.outcome import Outcome
from smoke.output import evidence
from smoke.output.results import finding_dicts, result_for, write_check_result
from smoke.output.run_dir import (
    ALLURE_RESULTS_DIR,
    AUTH_DIR,
    JUNIT_FILE,
    free_reserve,
    keep_traceback,
    new_run_dir,
    reserve_room,
)
from smoke.plan.planner import make_plan
from smoke.run import options
from smoke.run.finish import finish_run
from smoke.run.items import SmokeFile, SmokeItem, could_not_check_line, plan_options
from smoke.run.stash import (
    BROWSER_KEY,
    DEADLINE_KEY,
    PLAN_KEY,
    RUN_DIR_KEY,
    STARTED_KEY,
    STOPPER_KEY,
    UNWRITABLE_KEY,
)

WORKERS_DIR = ".workers"  # one pid file per xdist worker: the controller stops them on a signal


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


# --- run directory and deadline (controller; workers are told) ------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not _active(config):
        return
    if _is_worker(config):
        workerinput = config.workerinput  # type: ignore[attr-defined]
        run_dir = Path(workerinput["smoke_run_dir"])
        if workerinput.get("smoke_deadline_at") is not None:
            config.stash[DEADLINE_KEY] = float(workerinput["smoke_deadline_at"])
        # Ctrl-C reaches every process of the terminal's group; only the controller acts on it
        # (it stops the workers and writes what finished), so a worker never records a check
        # as broken just because the user pressed Ctrl-C. SIGTERM and SIGHUP (from the
        # controller, or from a CI runner, systemd or timeout(1) to the whole group) stop the
        # worker at once: the check in hand is left unreported, as after Ctrl-C.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for signum in WORKER_STOP_SIGNALS:
            signal.signal(signum, raise_interrupt)
        pids = run_dir / WORKERS_DIR
        pids.mkdir(exist_ok=True)
        (pids / str(os.getpid())).touch()
    else:
        run_dir = new_run_dir(Path(config.getoption("reports_dir")), config.getoption("run_id"))
        reserve_room(run_dir)
        # SIGTERM and SIGHUP end the run as Ctrl-C does; a second signal ends it at once.
        stopper = Stopper(private_dir=run_dir / AUTH_DIR)
        # The workers are told at once, so none waits for its check (or its timeout) to end.
        stopper.on_first = lambda signum: stop_workers(_worker_pids(run_dir))
        stopper.install()
        config.stash[STOPPER_KEY] = stopper
        # Run-level report files belong to the controller; tell the built-in plugins where.
        if not config.option.xmlpath:
            config.option.xmlpath = str(run_dir / JUNIT_FILE)
        deadline = config.getoption("deadline") or _target_deadline(config)
        if deadline is not None:
            config.stash[DEADLINE_KEY] = time.time() + float(deadline)
    config.stash[RUN_DIR_KEY] = run_dir
    config.stash[STARTED_KEY] = datetime.now(UTC).isoformat(timespec="seconds")
    if getattr(config.option, "allure_report_dir", None) is None:
        config.option.allure_report_dir = str(run_dir / ALLURE_RESULTS_DIR)


def _worker_pids(run_dir: Path) -> list[int]:
    return [int(p.name) for p in (run_dir / WORKERS_DIR).glob("*") if p.name.isdigit()]


def _target_deadline(config: pytest.Config) -> float | None:
    """``deadline:`` of the target in wikis.yaml (a bad file is reported by collection)."""
    try:
        smoke_config = load_config(_smoke_args(config)[0])
        return smoke_config.target(config.getoption("target")).deadline
    except (ConfigError, KeyError, ValueError):
        return None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: hand every worker the run directory the controller made, and the deadline."""
    if RUN_DIR_KEY in node.config.stash:  # only when the session runs smoke checks
        node.workerinput["smoke_run_dir"] = str(node.config.stash[RUN_DIR_KEY])
        node.workerinput["smoke_deadline_at"] = node.config.stash.get(DEADLINE_KEY, None)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if not _active(config) or RUN_DIR_KEY not in config.stash:
        return None
    return [f"smoke: target {config.getoption('target')}, reports in {config.stash[RUN_DIR_KEY]}"]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    config = parent.config
    if file_path.suffix in (".yaml", ".yml") and any(
        file_path.resolve() == p.resolve() for p in _smoke_args(config)
    ):
        return SmokeFile.from_parent(parent, path=file_path)
    return None


# --- results --------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if isinstance(item, SmokeItem) and (
        call.when == "call" or (call.when == "setup" and not report.passed)
    ):
        _write_result(item, call, report)
        error = call.excinfo.value if call.excinfo else None
        if call.when == "setup" and isinstance(error, CouldNotCheck):
            # One line on the console (what, where, why); the traceback goes to a file.
            if not isinstance(error, NotLoaded):
                _keep_traceback(item, call)
            report.longrepr = could_not_check_line(item.check, error)
    return report


def _keep_traceback(item: SmokeItem, call: pytest.CallInfo[None]) -> None:
    assert call.excinfo is not None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    what = f"{item.check.id} ({item.check.url})"
    keep_traceback(item.config.stash[RUN_DIR_KEY], worker, what, call.excinfo.value)


def _write_result(item: SmokeItem, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    check, execution = item.check, item.execution
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if execution is None:  # skipped or not loaded, or our own failure before the first attempt
        exc = call.excinfo.value if call.excinfo else None
        outcome = Outcome.SKIPPED if report.skipped else Outcome.BROKEN
        error = None
        if not report.skipped:
            error = error_record_of(exc)
            tripped_by = getattr(exc, "tripped_by", ())
            if tripped_by:
                error["tripped_by"] = ", ".join(tripped_by)
        result = result_for(
            check, outcome.value, skip_reason=check.skip_reason, error=error, worker=worker
        )
    else:
        assert item.result is not None  # made by SmokeItem.setup with the execution
        result = item.result
        if report.failed and execution.outcome is Outcome.FLAKY:
            result.findings = finding_dicts([execution.flaky_finding()])
    result.duration_s = round(time.monotonic() - item.started, 3) if item.started else 0.0
    result.notes += evidence.take_skipped(check.id)
    if result.outcome == Outcome.BROKEN.value and worker_stopping():
        return  # the stop signal broke it (its browser's driver got it too): not a result
    write_check_result(item.config.stash[RUN_DIR_KEY], result)


# Before junitxml writes junit.xml: a signal must not cut it short.
@pytest.hookimpl(tryfirst=True, specname="pytest_sessionfinish")
def pytest_sessionfinish_first(session: pytest.Session, exitstatus: int) -> None:
    stopper = session.config.stash.get(STOPPER_KEY, None)
    if stopper is not None:
        stopper.deferring = True  # a first signal from here on is noted; a second ends at once
    if RUN_DIR_KEY in session.config.stash and not _is_worker(session.config):
        # junitxml writes junit.xml next: the room kept for the run-level files is theirs now.
        free_reserve(session.config.stash[RUN_DIR_KEY])


@pytest.hookimpl(trylast=True)  # after junitxml has written junit.xml: it is reconciled here
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    browser = config.stash.get(BROWSER_KEY, None)
    if browser is not None:
        browser.close()
    if not _active(config) or _is_worker(config) or RUN_DIR_KEY not in config.stash:
        return
    plan = config.stash.get(PLAN_KEY, None)
    if plan is None:  # under xdist the controller does not collect; workers did
        try:
            plan = make_plan(plan_options(config, _smoke_args(config)[0]))
        except ConfigError:
            plan = None
    stopper = config.stash.get(STOPPER_KEY, None)
    run_dir = config.stash[RUN_DIR_KEY]
    shutil.rmtree(run_dir / WORKERS_DIR, ignore_errors=True)
    try:
        warnings = finish_run(
            config,
            run_dir,
            plan,
            exitstatus,
            config.stash.get(STARTED_KEY, ""),
            interrupted_by=stopper.name if stopper is not None else None,
        )
    except RunFilesUnwritable as exc:
        # One sentence for the console (smoke run exits 5); never a traceback.
        config.stash[UNWRITABLE_KEY] = str(exc)
        print(f"smoke: {exc}", file=sys.stderr)
        return
    for line in warnings:
        print(line, file=sys.stderr)


def pytest_unconfigure(config: pytest.Config) -> None:
    stopper = config.stash.get(STOPPER_KEY, None)
    if stopper is not None:
        stopper.restore()
