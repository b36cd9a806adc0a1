"""The baselines scenario: the same page loads as ``smoke run``, three other ways, measured alike.

Modes: ``smoke`` (smoke run), ``idiomatic`` (bench/idiomatic: pytest-playwright style, a new
context and page per test), ``floor`` (bench/floor.py: one page reused, nothing else) and
``floor-parallel`` (the floor as WORKERS processes; no target). Ratios against the baselines
measured in the same invocation: bench.report.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.env import REPO, SetupError, log
from bench.measure import RunResult, run_measured
from bench.peers import PEERS, peer_command
from bench.report import PSS_LIMIT_MB, TARGETS, print_report, summarize
from bench.selection import (
    BASELINE_DEFAULT,
    Patterns,
    load_checks,
    read_config,
    runnable_checks,
    warmup_checks,
)
from bench.session import Session, smoke_loaded, smoke_outcomes
from bench.spec import SPEC_ENV, LoadCheck, write_spec
from smoke.browser.chromium import NoBrowser, find_chromium
from smoke.model.outcome import Outcome

IDIOMATIC_DIR = REPO / "bench" / "idiomatic"


@dataclass(frozen=True)
class Plan:
    patterns: Patterns
    checks: list[LoadCheck]
    workers: int
    chromium: str
    spec: Path  # what the floor and the idiomatic suite load
    header: list[str]


def run(session: Session) -> int:
    plan = prepare(session)
    if session.options.warmup:
        warm_up(session, plan)
    results = measure_modes(session, plan)
    summary = summarize(results)
    code = print_report(results, summary, plan.header)
    if session.options.json:
        body = {
            "scenario": "baselines",
            "header": plan.header,
            "workers": plan.workers,
            "checks": plan.checks,
            "summary": summary,
            "runs": [asdict(r) for r in results],
            "targets": TARGETS,
            "pss_limit_mb": PSS_LIMIT_MB,
        }
        session.options.json.write_text(json.dumps(body, indent=2), "utf-8")
    session.keep_if(any(not r.completed for r in results))
    return code


def prepare(session: Session) -> Plan:
    opts = session.options
    patterns = opts.selection(BASELINE_DEFAULT)
    config = read_config(opts.config)
    checks = load_checks(config, runnable_checks(config, patterns, session.farm.base_urls()))
    workers = session.workers(len(checks))
    chromium = resolve_chromium(opts.browser_path)
    spec = write_spec(session.tmp / "spec.json", chromium, checks)
    wikis = sorted({c["id"].split("/")[0] for c in checks})
    pages = sorted({c["id"].split("/")[1] for c in checks})
    header = [
        f"bench.sweep baselines: {len(checks)} checks ({len(wikis)} wikis: {', '.join(wikis)}; "
        f"pages: {', '.join(pages)}), {workers} worker(s) for smoke, idiomatic and "
        "floor-parallel, floor sequential",
        f"farm: {session.farm.describe()}; Chromium: {chromium}; {session.cores_and_load()}",
    ]
    for line in header:
        log(line)
    return Plan(patterns, checks, workers, chromium, spec, header)


def resolve_chromium(explicit: str | None) -> str:
    if explicit:
        return explicit
    try:
        choice = find_chromium(None)
    except NoBrowser as exc:
        raise SetupError(f"bench: {exc}") from None
    return choice.executable or ""


def warm_up(session: Session, plan: Plan) -> None:
    """One unmeasured load per wiki and page, so MediaWiki's caches are warm for every mode."""
    warm = warmup_checks(plan.checks)
    spec = write_spec(session.tmp / "warmup.json", plan.chromium, warm)
    log(f"warm-up: {len(warm)} loads (not measured)")
    run_measured(
        "warmup",
        0,
        [sys.executable, "-m", "bench.floor", str(spec)],
        cwd=REPO,
        env=session.env,
        log_path=session.tmp / "warmup.log",
        timeout=min(session.options.timeout, 300),
        interval=1.0,
        pgids=session.farm.pgids(),
        n_checks=len(warm),
    )


def measure_modes(session: Session, plan: Plan) -> list[RunResult]:
    """Every mode once per repeat; the order rotates per repeat (drift hits each mode alike)."""
    modes = list(session.options.modes)
    reports = session.tmp / "reports"
    reports.mkdir(exist_ok=True)
    results: list[RunResult] = []
    for rep in range(session.options.repeat):
        for mode in modes[rep % len(modes) :] + modes[: rep % len(modes)]:
            run_id = f"bench-{mode}-{rep + 1}"
            argv, cwd, env = mode_command(session, plan, mode, reports, run_id)
            result = run_measured(
                mode,
                rep,
                argv,
                cwd=cwd,
                env=env,
                log_path=session.tmp / f"{mode}-{rep + 1}.log",
                timeout=session.options.timeout,
                interval=session.options.interval(0.2),
                pgids=session.farm.pgids(),
                n_checks=len(plan.checks),
            )
            count_ok(mode, result, reports, run_id)
            results.append(result)
            log(
                f"{mode}: wall {result.wall_s:.1f} s, CPU {result.cpu_s:.1f} s "
                f"({result.cpu_per_check:.3f}/check), {result.ok_checks}/{result.checks} ok, "
                f"peak PSS/worker {result.max_worker_mb:.0f} MB"
                + (f", loaded {result.loaded}" if result.loaded else "")
            )
    return results


def mode_command(
    session: Session, plan: Plan, mode: str, reports: Path, run_id: str
) -> tuple[list[str], Path, dict[str, str]]:
    """argv, working directory and environment of one mode."""
    if mode == "smoke":
        return (
            session.smoke_run_argv(plan.patterns, plan.workers, reports, run_id),
            REPO,
            session.env,
        )
    if mode == "smoke-full":
        argv = session.smoke_run_argv(plan.patterns, plan.workers, reports, run_id)
        return [*argv, "--full-loads"], REPO, session.env
    if mode in PEERS:
        return peer_command(mode, plan.spec, plan.workers, session.env)
    if mode == "idiomatic":
        argv = [sys.executable, "-m", "pytest", "test_idiomatic.py", "-q"]
        argv += ["-p", "no:cacheprovider", "-p", "no:smoke"]
        if plan.workers > 1:
            argv += ["-n", str(plan.workers), "--dist", "load"]
        else:
            argv += ["-p", "no:xdist"]
        # Its own directory: its pytest.ini keeps the repository's conftest and settings out.
        return argv, IDIOMATIC_DIR, {**session.env, SPEC_ENV: str(plan.spec)}
    argv = [sys.executable, "-m", "bench.floor", str(plan.spec)]
    if mode == "floor-parallel":
        argv += ["--parallel", str(plan.workers)]
    return argv, REPO, session.env


def count_ok(mode: str, result: RunResult, reports_dir: Path, run_id: str) -> None:
    """How many checks the run loaded: smoke's results.json, else the runner's own summary."""
    if mode in ("smoke", "smoke-full"):
        outcomes = smoke_outcomes(reports_dir, run_id)
        if outcomes is not None:
            values = list(outcomes.values())
            # "flaky": failed or broken, then passed on smoke's retry: it did the work twice.
            result.retried = values.count(Outcome.FLAKY)
            result.ok_checks = values.count(Outcome.PASSED) + result.retried
        result.loaded = smoke_loaded(reports_dir, run_id)
        return
    # pytest's "N passed" line, or the floor's "floor: N passed".
    text = Path(result.log).read_text("utf-8", "replace")
    match = re.findall(r"(\d+) passed", text)
    result.ok_checks = int(match[-1]) if match else 0
