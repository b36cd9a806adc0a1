"""One persistent worker process of ``smoke watch``: one plan, one browser, checks from a queue.

The process builds the plan once and keeps one :class:`~smoke.browser.worker.WorkerBrowser`
(its browser, contexts, pages and the wiki logins in ``<run_dir>/.auth``) for the whole watch,
so a round after the first costs page loads only. It takes :class:`Task` s from the shared task
queue until it gets ``None`` and answers on the event queue:

``("start", worker, round, check id)`` before loading, ``("done", worker, round, check id,
record, browsers started)`` after, ``("fatal", worker, message)`` when it cannot work at all.

SIGINT is ignored (Ctrl-C reaches the whole process group; the main process decides, as the
xdist controller does for ``smoke run``); SIGTERM and SIGHUP end it, closing the browser.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import queue
import signal
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from playwright.sync_api import Browser, Playwright

from smoke.browser.worker import WorkerBrowser
from smoke.execute.attempts import execute, result_of
from smoke.model.checks import Check
from smoke.model.findings import error_record_of
from smoke.model.outcome import Outcome
from smoke.output.evidence import evidence_dir, take_skipped
from smoke.output.results import CheckResult, result_for
from smoke.output.run_dir import ARTIFACTS_DIR, keep_traceback
from smoke.plan.planner import Plan, PlanOptions, make_plan
from smoke.plan.safety import Resolve

PARENT_POLL_S = 1.0  # how often an idle worker looks whether the main process still runs


@dataclass(frozen=True)
class WorkerSettings:
    """What every worker needs to build its plan and browser (picklable: sent to the process)."""

    plan_options: PlanOptions
    run_dir: Path
    browser_path: str | None = None
    headed: bool = False
    resolves: tuple[str, ...] = ()


@dataclass(frozen=True)
class Task:
    round: int
    check_id: str
    keep_evidence: str  # on-failure | always | never (never: the check already failed before)


class CountingBrowser(WorkerBrowser):
    """A WorkerBrowser that counts its launches (the watch reports browsers started)."""

    launches = 0

    def _open_browser(self, playwright: Playwright) -> Browser:
        browser = super()._open_browser(playwright)
        self.launches += 1
        return browser


def _stop_on_term(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def worker_main(
    name: str,
    settings: WorkerSettings,
    tasks: multiprocessing.queues.Queue[Task | None],
    events: multiprocessing.queues.Queue[tuple[Any, ...]],
) -> None:
    """The process body (a module-level function: the spawn start method imports it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_on_term)
    signal.signal(signal.SIGHUP, _stop_on_term)  # a closed terminal's group: as SIGTERM
    try:
        plan = make_plan(settings.plan_options)
    except Exception as exc:  # validated by the main process: anything here is news
        events.put(("fatal", name, f"could not plan the checks: {exc}"))
        return
    checks = {c.id: c for c in plan.checks}
    browser = CountingBrowser(
        run_dir=settings.run_dir,
        browser_path=settings.browser_path,
        headed=settings.headed,
        resolves=tuple(Resolve.parse(r) for r in settings.resolves),
        max_per_host=plan.max_per_host,
    )
    parent = multiprocessing.parent_process()
    try:
        while True:
            try:
                task = tasks.get(timeout=PARENT_POLL_S)
            except queue.Empty:
                if parent is not None and not parent.is_alive():
                    return  # the main process died (SIGKILL): nobody will send the sentinel
                continue
            if task is None:
                return
            events.put(("start", name, task.round, task.check_id))
            record = run_task(task, checks[task.check_id], plan, browser, settings.run_dir, name)
            events.put(("done", name, task.round, task.check_id, record, browser.launches))
    finally:
        browser.close()


def run_task(
    task: Task, check: Check, plan: Plan, browser: CountingBrowser, run_dir: Path, worker: str
) -> dict[str, Any]:
    """Execute one check of one round; the results.json record (never raises for a check)."""
    started = time.monotonic()
    try:
        result = result_of(
            execute(check, plan, browser, run_dir, keep_evidence=task.keep_evidence),
            worker=worker,
        )
    except Exception as exc:  # our own failure, not the wiki's: broken, with the traceback
        result = result_for(
            check,
            Outcome.BROKEN.value,
            error=error_record_of(exc),
            worker=worker,
        )
        keep_traceback(run_dir, worker, f"{check.id} ({check.url})", exc)
    result.notes += take_skipped(check.id)
    result.duration_s = round(time.monotonic() - started, 3)
    result.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    file_evidence_by_round(run_dir, check, task.round, result)
    return asdict(result)


def file_evidence_by_round(run_dir: Path, check: Check, number: int, result: CheckResult) -> None:
    """Move the check's evidence to ``artifacts/round-N/<check>/`` and point the record there.

    Evidence is written per check (``artifacts/<check>/``); a check that fails again in a later
    failing period would overwrite the evidence of the first one.
    """
    kept = bool(result.artifacts) or any(a.get("artifacts") for a in result.attempts)
    if not kept:
        return
    source = evidence_dir(run_dir, check)
    target = run_dir / ARTIFACTS_DIR / f"round-{number}" / source.name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        source.rename(target)
    except OSError:
        return  # a full disk: the evidence stays where the record already points
    old, new = f"{ARTIFACTS_DIR}/{source.name}/", f"{ARTIFACTS_DIR}/round-{number}/{source.name}/"

    def moved(files: dict[str, str]) -> dict[str, str]:
        return {k: new + v[len(old) :] if v.startswith(old) else v for k, v in files.items()}

    result.artifacts = moved(result.artifacts)
    for attempt in result.attempts:
        attempt["artifacts"] = moved(dict(attempt.get("artifacts") or {}))
