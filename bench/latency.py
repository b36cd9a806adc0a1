"""The latency scenario: worker counts for a remote target, imitated by the farm's latency.

A remote target (Beta from a CI runner) answers each page a second or so later than the local
farm; a worker then waits rather than computes, and more workers than cores pay off. This
scenario switches the farm's ``latency`` on every wiki (``--latency`` seconds per page view) and
runs the same sweep with each of ``--worker-counts`` (``auto``: what smoke's ``--workers auto``
picks for a remote target), measured like the other scenarios, in one invocation.

Targets (issue 18): the sweep with the auto count takes at most 0.5 of the sweep with
``-n 2``, and its peak PSS per worker stays within what ``auto`` assumes (``MEMORY_PER_WORKER_MB``).
"""

from __future__ import annotations

import json
from dataclasses import asdict

from bench.env import REPO, log
from bench.farm import FaultSwitch
from bench.measure import RunResult, run_measured
from bench.report import busy_warning, median, table
from bench.selection import Patterns, read_config, runnable_checks
from bench.session import Session, smoke_outcomes
from smoke.model.outcome import Outcome
from smoke.plan.workers import MEMORY_PER_WORKER_MB, default_workers

TARGET_RATIO = 0.50  # auto's wall time over -n 2's


def counts(spec: str, n_checks: int) -> list[tuple[str, int]]:
    """``"2,auto,6"`` -> [("2", 2), ("auto", N), ("6", 6)] (auto: smoke's remote default)."""
    out: list[tuple[str, int]] = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        n = default_workers(n_checks, remote=True) if part == "auto" else int(part)
        out.append((part, n))
    return out


def run(session: Session) -> int:
    opts = session.options
    patterns = opts.selection(Patterns())
    checks = runnable_checks(read_config(opts.config), patterns, session.farm.base_urls())
    wikis = sorted({c.wiki for c in checks})
    plan = counts(opts.worker_counts, len(checks))
    header = [
        f"bench.sweep latency: {len(checks)} checks of {len(wikis)} wikis, +{opts.latency} s "
        f"per page view; worker counts {', '.join(f'{k}={n}' for k, n in plan)}",
        f"farm: {session.farm.describe()}; {session.cores_and_load()}",
    ]
    for line in header:
        log(line)
    reports = session.tmp / "reports"
    reports.mkdir(exist_ok=True)
    runs: list[tuple[str, int, RunResult]] = []
    faults = [FaultSwitch(w, "latency", opts.latency) for w in wikis]
    with session.farm.faults(faults):
        for rep in range(opts.repeat):
            order = plan[rep % len(plan) :] + plan[: rep % len(plan)]
            for name, n in order:
                run_id = f"latency-{name}-{rep + 1}"
                result = run_measured(
                    f"n={n}",
                    rep,
                    session.smoke_run_argv(patterns, n, reports, run_id),
                    cwd=REPO,
                    env=session.env,
                    log_path=session.tmp / f"{run_id}.log",
                    timeout=opts.timeout,
                    interval=opts.interval(0.5),
                    pgids=session.farm.pgids(),
                    n_checks=len(checks),
                )
                outcomes = smoke_outcomes(reports, run_id) or {}
                result.ok_checks = sum(
                    o in (Outcome.PASSED, Outcome.FLAKY) for o in outcomes.values()
                )
                runs.append((name, n, result))
                log(
                    f"{name} ({n} workers): wall {result.wall_s:.1f} s, exit "
                    f"{result.returncode}, {result.ok_checks}/{result.checks} passed, peak "
                    f"{result.max_worker_mb:.0f} MB/worker, {result.peak_pss_total_mb:.0f} MB total"
                )
    code = report(runs, header)
    if opts.json:
        body = {
            "scenario": "latency",
            "header": header,
            "latency_s": opts.latency,
            "runs": [{"name": k, "workers": n, **asdict(r)} for k, n, r in runs],
        }
        opts.json.write_text(json.dumps(body, indent=2), "utf-8")
    session.keep_if(code == 2)
    return code


def report(runs: list[tuple[str, int, RunResult]], header: list[str]) -> int:
    print()
    for text in header:
        print(text)
    print()
    names = list(dict.fromkeys((k, n) for k, n, _ in runs))
    walls = {kn: median([r.wall_s for k, n, r in runs if (k, n) == kn]) for kn in names}
    base = next((walls[kn] for kn in names if kn[1] == 2), None)
    rows = []
    for kn in names:
        mine = [r for k, n, r in runs if (k, n) == kn]
        worker_mb = max(r.max_worker_mb for r in mine)
        rows.append(
            (
                kn[0],
                str(kn[1]),
                f"{walls[kn]:.1f}",
                f"{walls[kn] / base:.2f}" if base else "-",
                f"{median([r.cpu_s for r in mine]):.1f}",
                f"{worker_mb:.0f}",
                f"{max(r.peak_pss_total_mb for r in mine):.0f}",
                f"{min(r.ok_checks for r in mine)}/{mine[0].checks}",
            )
        )
    cols = ("workers", "n", "wall s", "vs -n 2", "CPU s", "peak MB/worker", "peak MB", "ok")
    for text in table(cols, rows):
        print(text)
    busy_warning(max((r.others_cpu_s / r.wall_s for _, _, r in runs if r.wall_s), default=0.0))
    if any(r.ok_checks != r.checks or r.timed_out for _, _, r in runs):
        print("\nsome runs did not pass every check: their times are not comparable")
        return 2
    auto = [kn for kn in names if kn[0] == "auto"]
    if not auto or base is None:
        return 0
    ratio = walls[auto[0]] / base
    worker_mb = max(r.max_worker_mb for k, _, r in runs if k == "auto")
    ok_wall, ok_mem = ratio <= TARGET_RATIO, worker_mb <= MEMORY_PER_WORKER_MB
    print(
        f"\nauto ({auto[0][1]} workers) / -n 2: {ratio:.2f} (target <= {TARGET_RATIO:.2f}: "
        f"{'met' if ok_wall else 'MISSED'}); peak {worker_mb:.0f} MB per worker (auto assumes "
        f"{MEMORY_PER_WORKER_MB}: {'met' if ok_mem else 'MISSED'})"
    )
    return 0 if ok_wall and ok_mem else 1
