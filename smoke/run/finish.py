"""The end of a run, in the controller only: run-level files from the per-check results.

Order matters: results.json and summary.md first, then junit.xml and the Allure results are made
to agree with them, then secrets are removed, and only then does ``reports/latest`` move here.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from smoke import __version__
from smoke.browser.login import session_secrets
from smoke.execute.give_up import LOCK_FILE, STATE_FILE, GiveUp
from smoke.model.values import DEFAULT_GIVE_UP_AFTER
from smoke.output.allure_durations import set_durations
from smoke.output.environment import environment
from smoke.output.junit import reconcile_junit
from smoke.output.redact import redact_file, scrub_run
from smoke.output.results import CheckResult, read_check_results, write_results_json
from smoke.output.run_dir import (
    ALLURE_RESULTS_DIR,
    AUTH_DIR,
    JUNIT_FILE,
    point_latest,
)
from smoke.output.summary import write_summary
from smoke.plan.planner import Plan
from smoke.run.notify_hook import notify_run


def give_up_notes(run_dir: Path, results: list[CheckResult]) -> list[str]:
    """What the give-up rule and the deadline decided, in words for summary.md."""
    notes = []
    for key, entry in GiveUp(run_dir).tripped().items():
        scope, name = key.split(":", 1)
        prefix = name + "/" if scope == "page" else ""
        skipped = [
            r
            for r in results
            if r.error
            and r.error.get("kind") == "PageGivenUp"
            and (r.id.startswith(prefix) if prefix else name in r.url)
        ]
        what = "timed out" if entry.get("kind") == "NavigationTimeout" else "could not reach it"
        notes.append(
            f"gave up on {scope} {name} after {entry.get('count')} consecutive checks {what} "
            f"({', '.join(entry.get('checks', []))}): {len(skipped)} more check(s) not loaded. "
            f"Rule: after `give_up_after` (default {DEFAULT_GIVE_UP_AFTER}) consecutive timeouts "
            "of one wiki's page, or unreachable results on one host, the rest are reported broken "
            "without loading."
        )
    deadline = [r for r in results if r.error and r.error.get("kind") == "DeadlineReached"]
    if deadline:
        notes.append(f"deadline reached: {len(deadline)} check(s) were not loaded")
    return notes


def finish_run(
    config: pytest.Config, run_dir: Path, plan: Plan | None, exitstatus: int, started: str
) -> None:
    results = read_check_results(run_dir)
    if not results:
        # Nothing ran (a collection error, an empty selection, Ctrl-C before the first check):
        # no run to report, and `latest` keeps pointing at the last real one.
        shutil.rmtree(run_dir, ignore_errors=True)
        return
    interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
    meta: dict[str, Any] = {
        "run_id": run_dir.name,
        "started_at": started,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": config.getoption("target"),
        "smoke_version": __version__,
        "interrupted": interrupted,
        "notes": [*(plan.notes() if plan else []), *give_up_notes(run_dir, results)],
    }
    if plan is not None and plan.shard_meta is not None:
        meta["shard"] = plan.shard_meta
    meta["environment"] = environment(results)
    write_results_json(run_dir, results, meta)
    write_summary(run_dir, results, meta)
    junit = Path(config.option.xmlpath) if config.option.xmlpath else run_dir / JUNIT_FILE
    if junit.is_file():
        reconcile_junit(junit, results, interrupted=interrupted)
    set_durations(run_dir / ALLURE_RESULTS_DIR, results)
    # The last net, while the sessions' secrets are still known: what was written without
    # redaction (results, summary, junit, tracebacks, Allure results) redacted with all of them.
    secrets = (*(plan.secrets() if plan else ()), *session_secrets(run_dir))
    scrub_run(run_dir, secrets)
    if junit.is_file() and run_dir.resolve() not in junit.resolve().parents:
        redact_file(junit, secrets)
    # Sessions are secrets: never kept after the run.
    shutil.rmtree(run_dir / AUTH_DIR, ignore_errors=True)
    shutil.rmtree(run_dir / ".slots", ignore_errors=True)
    for name in (STATE_FILE, LOCK_FILE):
        (run_dir / name).unlink(missing_ok=True)
    point_latest(run_dir.parent, run_dir)
    notify_run(config, run_dir, meta)  # metrics and alerts (smoke.notify), from the files
