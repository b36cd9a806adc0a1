"""``smoke run``: turn CLI options into a pytest invocation, then print the closing summary."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from smoke.browser.chromium import NoBrowser, find_chromium
from smoke.execute.signals import exit_code
from smoke.finished.diff import baseline_exit_code, counts_line, diff_runs
from smoke.model.exit_codes import ExitCode
from smoke.model.findings import problem_line
from smoke.model.outcome import Outcome
from smoke.output.causes import group_causes
from smoke.output.past_runs import HistoryError, load_results, resolve_run
from smoke.output.results import exit_code_for, read_check_results
from smoke.output.run_dir import new_run_id, taken_message
from smoke.plan.planner import Plan
from smoke.plan.shard import last_durations
from smoke.plan.workers import worker_count
from smoke.run import options
from smoke.run.stash import STOPPER_KEY, UNWRITABLE_KEY


class Ending:
    """A plugin of the one pytest session: what its end was (a signal, unwritable files)."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self.unwritable: str | None = None

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        stopper = config.stash.get(STOPPER_KEY, None)
        self.signal = stopper.received if stopper is not None else None
        self.unwritable = config.stash.get(UNWRITABLE_KEY, None)


def pytest_args(
    args: argparse.Namespace,
    plan: Plan,
    run_id: str,
    durations_file: Path | None = None,
    workers: int = 1,
) -> list[str]:
    chosen = argparse.Namespace(**{**vars(args), "run_id": run_id})
    argv = [str(args.config), *options.forward(chosen)]
    if args.shard:
        argv += ["--shard-durations", str(durations_file)]
    if args.keyword is not None:
        argv += ["-k", args.keyword]
    argv += ["-p", "no:cacheprovider", "--rootdir", str(Path.cwd())]
    # Checks raise their own failures: pytest's assertion rewriting of smoke's modules (redone
    # in every worker when bytecode is not cached) buys nothing here.
    argv += ["--assert=plain"]
    argv += ["-o", "console_output_style=count", "-r", "fE", "-v" if args.verbose else "-q"]
    if workers > 1:
        argv += ["-n", str(workers), "--dist", "load"]
    else:
        argv += ["-p", "no:xdist"]
    return argv + list(args.pytest_args)


def run_pytest(args: argparse.Namespace, plan: Plan, runnable: int) -> int:
    remote = args.browser_endpoint or args.cdp_endpoint
    try:
        browser = (
            f"the browser at {remote}"
            if remote
            else find_chromium(args.browser_path, headless=not args.headed).describe()
        )
    except NoBrowser as exc:
        print(f"smoke: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    console = Console(stderr=True)
    baseline: Path | None = None
    if args.baseline:
        try:  # before the run: afterwards "latest" would name this very run
            baseline = resolve_run(args.baseline, args.reports_dir)
            baseline_checks = load_results(baseline)
        except HistoryError as exc:
            print(f"smoke: --baseline: {exc}", file=sys.stderr)
            return ExitCode.USAGE
    run_id = args.run_id or new_run_id()
    if (args.reports_dir / run_id).exists():
        print(f"smoke: {taken_message(args.reports_dir, run_id)}", file=sys.stderr)
        return ExitCode.USAGE
    workers, capped = worker_count(
        args.workers, runnable, remote=not plan.served_here(args.resolve)
    )
    console.print(
        f"smoke: {len(plan.checks)} checks on target [bold]{plan.target}[/], {workers} "
        f"worker{'s' if workers != 1 else ''}, with {browser}",
        soft_wrap=True,  # one line to grep in a CI log, however narrow the console
    )
    for note in plan.notes():
        console.print(f"[yellow]note:[/] {note}")
    if capped:
        console.print(f"[yellow]note:[/] {capped}")
    with tempfile.TemporaryDirectory() as scratch:
        # Workers collect on their own: hand them the very durations the plan was split with.
        durations_file = Path(scratch) / "shard-durations.json"
        durations_file.write_text(json.dumps(last_durations(args.reports_dir)), "utf-8")
        ending = Ending()
        code = pytest.main(pytest_args(args, plan, run_id, durations_file, workers), [ending])
    run_dir = args.reports_dir / run_id
    if ending.unwritable:
        return ExitCode.ENVIRONMENT  # the one sentence is printed (run/plugin.py)
    stopped = ExitCode(exit_code(ending.signal)) if ending.signal is not None else None
    if not (run_dir / "results.json").exists():
        if stopped is not None:
            return stopped  # stopped before any check finished: nothing to write
        # pytest stopped before the run produced anything (usage error, collection error).
        return (
            ExitCode.USAGE
            if code
            in (
                pytest.ExitCode.USAGE_ERROR,
                pytest.ExitCode.INTERRUPTED,
                pytest.ExitCode.INTERNAL_ERROR,
            )
            else int(code)
        )
    results = read_check_results(run_dir)
    print_summary(console, json.loads((run_dir / "results.json").read_text("utf-8")), run_dir)
    if code == pytest.ExitCode.INTERRUPTED or stopped is not None:
        name = signal.Signals(ending.signal).name if ending.signal is not None else "SIGINT"
        console.print(
            f"[bold red]interrupted ({name})[/]: {len(results)} finished checks written to "
            f"{run_dir}"
        )
        return stopped or ExitCode.INTERRUPTED
    if baseline is not None:
        diff = diff_runs(baseline_checks, [asdict(r) for r in results])
        console.print(f"baseline {baseline.name}: {counts_line(diff)}")
        return baseline_exit_code(baseline_checks, [asdict(r) for r in results])
    return exit_code_for(results, fail_on_flaky=args.fail_on_flaky)


def print_summary(console: Console, body: dict[str, Any], run_dir: Path) -> None:
    per_wiki: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for check in body["checks"]:
        per_wiki[check["wiki"]][check["outcome"]] += 1
    table = Table(title=f"smoke run {body['run']['run_id']} — target {body['run']['target']}")
    table.add_column("wiki")
    columns = (
        Outcome.PASSED,
        Outcome.FAILED,
        Outcome.BROKEN,
        Outcome.FLAKY,
        Outcome.KNOWN,
        Outcome.SKIPPED,
    )
    for outcome, style in zip(
        columns, ("green", "red", "yellow", "magenta", "cyan", "dim"), strict=True
    ):
        table.add_column(outcome, justify="right", style=style)
    for wiki in sorted(per_wiki):
        c = per_wiki[wiki]
        table.add_row(wiki, *(str(c[o]) for o in columns))
    totals = body["counts"]
    table.add_row(
        "all",
        *(str(totals.get(o, 0)) for o in columns),
        style="bold",
    )
    console.print(table)
    print_causes(console, body["checks"])
    console.print(f"reports: {run_dir}/ (summary.md, results.json, junit.xml, allure-results/)")


def print_causes(console: Console, checks: list[dict[str, Any]], shown: int = 10) -> None:
    """One line per root cause of the failed and broken checks (summary.md has the details)."""
    causes = group_causes(checks)
    if not causes:
        return
    table = Table(title=f"{len(causes)} cause{'s' if len(causes) != 1 else ''}", show_lines=False)
    table.add_column("outcome")
    table.add_column("checks", justify="right")
    table.add_column("cause (wikis · pages)", overflow="fold")
    for cause in causes[:shown]:
        style = "red" if cause.outcome == Outcome.FAILED else "yellow"
        message = cause.message if len(cause.message) <= 160 else cause.message[:159] + "…"
        if cause.server:  # what the server logged (smoke.serverlog) tells this cause apart
            message += " — server: " + (
                cause.server if len(cause.server) <= 160 else cause.server[:159] + "…"
            )
        table.add_row(
            cause.outcome,
            str(len(cause.checks)),
            escape(
                problem_line(cause.kind, message)
                + f" — {', '.join(cause.wikis)} · {', '.join(cause.pages)}"
            ),
            style=style,
        )
    console.print(table)
    if len(causes) > shown:
        console.print(f"… {len(causes) - shown} more causes in summary.md")
