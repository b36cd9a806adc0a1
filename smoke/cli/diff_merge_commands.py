"""``smoke diff`` and ``smoke merge``: subcommands over finished runs (no browser, no pytest).

``add_parsers(sub)`` adds both to the ``smoke`` parser; each handler returns an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from smoke.finished.diff import SECTIONS, diff_runs, render_diff
from smoke.model.exit_codes import ExitCode
from smoke.output.past_runs import HistoryError, Run, load_run, resolve_run
from smoke.output.run_dir import LATEST, PREVIOUS

if TYPE_CHECKING:
    from smoke.finished.merge import MergePlan


DIFF_DESCRIPTION = f"""\
Compare two runs check by check: new failures (failed or broken now, not before — including
new checks), fixed, still failing, flaky (passed after retries), and checks that disappeared
or appeared. The report is Markdown, ready to paste into a Phabricator task.

RUN is a run id (a directory name under --reports-dir), a path to a run directory,
'{LATEST}' or '{PREVIOUS}' (the run before the latest; runs merged into another run are
skipped by both). Default: {PREVIOUS} {LATEST}; with one RUN: that RUN against {LATEST}.

exit codes: 0 no new failures; 1 new failures; 4 bad RUN or unreadable results."""

MERGE_DESCRIPTION = """\
Combine runs (e.g. the shards of one sweep, `smoke run --shard K/N`) into one new run directory
under --reports-dir, as if one run had made it: results.json, summary.md, junit.xml,
allure-results/, checks/ and artifacts/. `latest` then points at it. The runs must be of the
same target, and no check may be in two of them unless --allow-duplicates (the later RUN on
the command line wins). Nothing is written when the merge is refused.

exit codes: as `smoke run` for the merged checks (0 all passed, flaky and known issues
aside; 1 a check failed; 3 some broken and none failed); 4 bad RUN, different targets,
duplicate checks or unreadable files."""


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _add_diff(sub)
    _add_merge(sub)


def _reports_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reports-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where run directories are (default: reports)",
    )


def _add_diff(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "diff",
        help="what changed between two runs (new failures, fixed, flaky, ...)",
        description=DIFF_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("base", nargs="?", default=None, metavar="BASE", help="default: previous")
    parser.add_argument("head", nargs="?", default=None, metavar="HEAD", help="default: latest")
    _reports_dir_option(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=cmd_diff)


def _add_merge(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "merge",
        help="combine shard runs into one run directory",
        description=MERGE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("runs", nargs="+", metavar="RUN", help="runs to combine, in order")
    parser.add_argument(
        "--out", default=None, metavar="RUN_ID", help="merged run's id (default: time-based)"
    )
    _reports_dir_option(parser)
    parser.add_argument(
        "--allow-duplicates",
        action="store_true",
        help="a check in several runs is kept from the last of them instead of refused",
    )
    parser.set_defaults(handler=cmd_merge)


def _error(message: str) -> int:
    print(f"smoke: {message}", file=sys.stderr)
    return ExitCode.USAGE


def _load(name: str, reports_dir: Path) -> Run:
    return load_run(resolve_run(name, reports_dir))


# --- diff -----------------------------------------------------------------------------------


def _diff_notes(base: Run, head: Run) -> list[str]:
    notes = []
    if base.path.resolve() == head.path.resolve():
        notes.append(f"BASE and HEAD are the same run ({head.run_id}).")
    if base.target != head.target:
        notes.append(f"the runs are of different targets: {base.target} → {head.target}.")
    for label, run in (("BASE", base), ("HEAD", head)):
        if run.meta.get("interrupted"):
            notes.append(f"{label} {run.run_id} was interrupted: its results are partial.")
    return notes


def cmd_diff(args: argparse.Namespace) -> int:
    base_name = args.base or PREVIOUS
    head_name = args.head or LATEST
    try:
        base, head = _load(base_name, args.reports_dir), _load(head_name, args.reports_dir)
    except HistoryError as exc:
        return _error(str(exc))
    diff = diff_runs(base.checks, head.checks)
    notes = _diff_notes(base, head)
    if args.json:
        body = {
            "base": {"run_id": base.run_id, "path": str(base.path)},
            "head": {"run_id": head.run_id, "path": str(head.path)},
            "counts": {name: len(getattr(diff, name)) for name in SECTIONS},
            **diff.to_dict(),
            "notes": notes,
        }
        print(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        print(render_diff(diff, base.run_id, head.run_id, notes), end="")
    return ExitCode.DEFECT if diff.has_new_failures else ExitCode.OK


# --- merge ----------------------------------------------------------------------------------


def _bad_run_id(run_id: str) -> str | None:
    if not run_id or "/" in run_id or run_id.startswith(".") or run_id in (LATEST, PREVIOUS):
        return f"--out must be a plain directory name (not {run_id!r})"
    return None


def _report_merge(run_dir: Path, plan: MergePlan) -> None:
    from smoke.model.outcome import count_outcomes

    for warning in plan.warnings:
        print(f"smoke: warning: {warning}", file=sys.stderr)
    c = count_outcomes(str(check["outcome"]) for check in plan.checks)
    print(
        f"merged {len(plan.runs)} runs into {run_dir}/: {len(plan.checks)} checks, "
        f"{c['failed']} failed, {c['broken']} broken, {c['passed']} passed, "
        f"{c['skipped']} skipped" + (" (interrupted: partial)" if plan.meta["interrupted"] else "")
    )


def cmd_merge(args: argparse.Namespace) -> int:
    # Imported here: merge needs smoke.output.reporting, which loads allure; diff should stay quick.
    from smoke.finished.merge import MergeError, merge_runs, merged_exit_code

    if args.out is not None and (problem := _bad_run_id(args.out)):
        return _error(problem)
    try:
        runs = [_load(name, args.reports_dir) for name in args.runs]
        run_dir, plan = merge_runs(runs, args.reports_dir, args.out, args.allow_duplicates)
    except (HistoryError, MergeError) as exc:
        return _error(str(exc))
    _report_merge(run_dir, plan)
    return merged_exit_code(plan.checks)
