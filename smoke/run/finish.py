"""What only ``smoke run`` adds to the end of a run, in the controller: the give-up notes, the
shard, pytest's junit.xml. The rest is the one end of run (:mod:`smoke.execute.end_of_run`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smoke.execute.end_of_run import RunEnd, finish, run_meta
from smoke.execute.give_up import GiveUp
from smoke.model.values import DEFAULT_GIVE_UP_AFTER
from smoke.output.results import CheckResult, read_check_results
from smoke.output.run_dir import JUNIT_FILE
from smoke.plan.planner import Plan
from smoke.run.notify_hook import notify_run
from smoke.serverlog.attach import attach_server_logs


def give_up_notes(run_dir: Path, results: list[CheckResult]) -> list[str]:
    """What the give-up rule and the deadline decided, in words for summary.md."""
    notes = []
    for key, entry in GiveUp(run_dir).tripped().items():
        scope, name = key.split(":", 1)
        prefix = name + "/" if scope in ("page", "wiki") else ""
        skipped = [
            r
            for r in results
            if r.error
            and r.error.get("kind") == "PageGivenUp"
            and (r.id.startswith(prefix) if prefix else name in r.url)
        ]
        what = "timed out" if entry.get("kind") == "NavigationTimeout" else "could not reach it"
        if scope == "wiki":
            notes.append(
                f"gave up on wiki {name}: its pages {', '.join(entry.get('checks', []))} were "
                f"given up; {len(skipped)} more check(s) not loaded. Rule: a page that does not "
                "answer within 3x its usual load time and then within the full navigation "
                "timeout is given up, and a wiki once two of its pages are."
            )
            continue
        notes.append(
            f"gave up on {scope} {name} after {entry.get('count')} consecutive checks {what} "
            f"({', '.join(entry.get('checks', []))}): {len(skipped)} more check(s) not loaded. "
            f"Rule: after `give_up_after` (default {DEFAULT_GIVE_UP_AFTER}) consecutive timeouts "
            "of one wiki's page, or unreachable results on one host, the rest are reported broken "
            "without loading."
        )
    slow = GiveUp(run_dir).slow_pages()
    if slow:
        notes.append(
            f"slower than usual: {', '.join(slow)} took longer than 3x their usual load time "
            "(learned from the last runs) but answered within the navigation timeout, which "
            "they then got for the rest of the run"
        )
    deadline = [r for r in results if r.error and r.error.get("kind") == "DeadlineReached"]
    if deadline:
        notes.append(f"deadline reached: {len(deadline)} check(s) were not loaded")
    return notes


def finish_run(
    config: pytest.Config,
    run_dir: Path,
    plan: Plan | None,
    exitstatus: int,
    started: str,
    interrupted_by: str | None = None,
) -> list[str]:
    """The run's files; warning lines for the console (raises RunFilesUnwritable)."""
    results = read_check_results(run_dir)
    if not results:
        # Nothing ran (a collection error, an empty selection, Ctrl-C before the first check):
        # no run to report, and `latest` keeps pointing at the last real one.
        shutil.rmtree(run_dir, ignore_errors=True)
        return []
    if exitstatus == pytest.ExitCode.INTERRUPTED and interrupted_by is None:
        interrupted_by = "SIGINT"  # pytest's own KeyboardInterrupt (plain `pytest`, a worker's)
    # What the server logged for each failed check, before causes are computed (bounded).
    log_notes, log_secrets = attach_server_logs(run_dir, results, plan)
    meta = run_meta(
        run_dir,
        started_at=started,
        target=config.getoption("target"),
        interrupted_by=interrupted_by,
        notes=[*(plan.notes() if plan else []), *give_up_notes(run_dir, results), *log_notes],
    )
    if plan is not None and plan.shard_meta is not None:
        meta["shard"] = plan.shard_meta
    junit = Path(config.option.xmlpath) if config.option.xmlpath else run_dir / JUNIT_FILE
    secrets = (*(plan.secrets() if plan else ()), *log_secrets)
    warnings = finish(RunEnd(run_dir, results, meta, secrets=secrets, junit=junit))
    notify_run(config, run_dir, meta)  # metrics and alerts (smoke.notify), from the files
    return warnings
