"""The baselines scenario's summary and printed report: the table, the ratios, the verdicts."""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from typing import Any

from bench.measure import RunResult
from bench.options import MODES

TARGETS = {  # ratio name -> maximum (issue 23: half the peers' cost, no more than the floor)
    "smoke/playwright-test": 0.50,
    "smoke/pytest-playwright": 0.50,
    "smoke/idiomatic": 0.50,
    "smoke/floor": 1.00,
}
PSS_LIMIT_MB = 600.0

Summary = dict[str, dict[str, Any]]  # mode -> figures (medians over repeats; PSS maxima)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarize(results: list[RunResult]) -> Summary:
    out: Summary = {}
    for mode in MODES:
        runs = [r for r in results if r.mode == mode]
        if not runs:
            continue
        out[mode] = {
            "runs": len(runs),
            "completed": sum(r.completed for r in runs),
            "checks": runs[0].checks,
            "ok_checks": min(r.ok_checks for r in runs),
            "wall_s": median([r.wall_s for r in runs]),
            "cpu_s": median([r.cpu_s for r in runs]),
            "cpu_per_check": median([r.cpu_per_check for r in runs]),
            "server_cpu_per_check": median([r.server_cpu_s / r.checks for r in runs]),
            "peak_pss_worker_mb": max(r.max_worker_mb for r in runs),
            "peak_pss_total_mb": max(r.peak_pss_total_mb for r in runs),
            "workers_seen": max(len(r.peak_pss_worker_mb) for r in runs),
        }
        cats: dict[str, list[float]] = {}
        for r in runs:
            for k, v in r.cpu_by_category.items():
                cats.setdefault(k, []).append(v / r.checks)
        out[mode]["cpu_split_per_check"] = {k: round(median(v), 3) for k, v in cats.items()}
    return out


def ratios(smoke: dict[str, Any], base: dict[str, Any]) -> tuple[float, float]:
    """smoke / base for wall time and for CPU per check (NaN when the base measured zero)."""

    def ratio(key: str) -> float:
        return float(smoke[key] / base[key]) if base[key] else float("nan")

    return ratio("wall_s"), ratio("cpu_per_check")


def table(cols: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell; the first left-aligned, the others right-aligned."""
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if i else v.ljust(w)
            for i, (v, w) in enumerate(zip(cells, widths, strict=True))
        )

    return [line(cols), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def print_report(results: list[RunResult], summary: Summary, header: list[str]) -> int:
    """Print everything; the exit status: 0 targets met, 1 one missed, 2 a run incomplete."""
    print()
    for text in header:
        print(text)
    print()
    print(
        "CPU = client side only: the process tree of each mode (runner, pytest workers, Playwright "
        "driver,\n      Chromium), from getrusage(RUSAGE_CHILDREN). The farm's PHP servers and "
        "scoring service\n      are measured apart ('server CPU/check') and not included."
    )
    print()
    _print_modes(summary)
    print()
    verdicts = _print_ratios(summary)
    print()
    busy = _print_runs(results)
    _print_warnings(results, busy)
    if not all(s["completed"] == s["runs"] for s in summary.values()):
        print("\nsome runs did not complete: their numbers are not comparable (see the logs above)")
        return 2
    return 0 if all(verdicts) else 1


def _print_modes(summary: Summary) -> None:
    cols = (
        "mode",
        "ok",
        "wall s",
        "CPU s",
        "CPU s/check",
        "server CPU/check",
        "peak PSS/worker MB",
        "peak PSS total MB",
        "workers",
    )
    rows = [
        (
            mode,
            f"{int(s['ok_checks'])}/{int(s['checks'])}",
            f"{s['wall_s']:.1f}",
            f"{s['cpu_s']:.1f}",
            f"{s['cpu_per_check']:.3f}",
            f"{s['server_cpu_per_check']:.3f}",
            f"{s['peak_pss_worker_mb']:.0f}",
            f"{s['peak_pss_total_mb']:.0f}",
            f"{int(s['workers_seen'])}",
        )
        for mode, s in summary.items()
    ]
    for text in table(cols, rows):
        print(text)
    if any(s["runs"] > 1 for s in summary.values()):
        print("(medians over repeats for wall and CPU; maxima for PSS)")
    print()
    print("CPU per check by process kind (sampled from /proc every interval; a lower bound,")
    print("short-lived processes lose up to one interval):")
    for mode, s in summary.items():
        split: dict[str, float] = s["cpu_split_per_check"]
        parts = ", ".join(f"{k} {v:.3f}" for k, v in sorted(split.items(), key=lambda kv: -kv[1]))
        print(f"  {mode:17} {parts}")


def _print_ratios(summary: Summary) -> list[bool]:
    """smoke against each baseline measured in this invocation; one verdict per target."""
    verdicts: list[bool] = []
    if "smoke" not in summary:
        return verdicts
    sm = summary["smoke"]
    print("ratios (smoke / baseline)     wall   CPU/check   target   verdict")
    for base in ("playwright-test", "pytest-playwright", "idiomatic", "floor"):
        if base not in summary:
            continue
        name = f"smoke/{base}"
        rw, rc = ratios(sm, summary[base])
        target = TARGETS[name]
        ok = rw <= target and rc <= target
        verdicts.append(ok)
        print(
            f"  {name:27} {rw:5.2f}   {rc:9.2f}   <= {target:.2f}   "
            f"{'met' if ok else 'MISSED'}"
            + ("" if rw <= target else " (wall)")
            + ("" if rc <= target else " (CPU)")
        )
    if "smoke-full" in summary:
        rw, rc = ratios(sm, summary["smoke-full"])
        print(
            f"  {'smoke/smoke-full':27} {rw:5.2f}   {rc:9.2f}   (no target: what the in-app path "
            "saves, docs/loading.md)"
        )
    if "floor-parallel" in summary:
        rw, rc = ratios(sm, summary["floor-parallel"])
        print(
            f"  {'smoke/floor-parallel':27} {rw:5.2f}   {rc:9.2f}   (no target: the floor "
            "with smoke's workers;"
        )
        print(f"  {'':27} {'':5}   {'':9}    CPU the machine adds to any parallel run)")
    mem_ok = sm["peak_pss_worker_mb"] <= PSS_LIMIT_MB
    verdicts.append(mem_ok)
    print(
        f"  smoke peak PSS per worker  {sm['peak_pss_worker_mb']:.0f} MB   "
        f"<= {PSS_LIMIT_MB:.0f} MB   {'met' if mem_ok else 'MISSED'}"
    )
    return verdicts


def run_flags(r: RunResult) -> list[str]:
    """What makes a run's numbers suspect, in words."""
    flags = []
    if r.timed_out:
        flags.append("TIMED OUT")
    if r.returncode:
        flags.append(f"exit {r.returncode}")
    if r.ok_checks != r.checks:
        flags.append(f"only {r.ok_checks}/{r.checks} checks passed")
    if r.leaked_processes:
        flags.append(f"{r.leaked_processes} processes leaked")
    if r.retried:
        flags.append(f"{r.retried} checks passed only on a retry (extra loads)")
    return flags


def _print_runs(results: list[RunResult]) -> list[float]:
    """One line per run; returns the cores others used during each run."""
    print(
        "per run ('others': CPU the rest of the machine used meanwhile, in cores; 'sampler': this"
    )
    print("script's own CPU, mostly reading /proc):")
    busy_runs: list[float] = []
    for r in results:
        flags = run_flags(r)
        note = ("  <- " + ", ".join(flags) + f" (log: {r.log})") if flags else ""
        others = r.others_cpu_s / r.wall_s if r.wall_s else 0.0
        busy_runs.append(others)
        print(
            f"  run {r.repeat + 1} {r.mode:17} wall {r.wall_s:6.1f} s  CPU {r.cpu_s:6.1f} s "
            f"(sampled {r.cpu_sampled_s:5.1f})  server {r.server_cpu_s:5.1f} s  "
            f"PSS/worker {', '.join(f'{v:.0f}' for v in r.peak_pss_worker_mb.values()) or '-'} MB  "
            f"others {others:.2f} cores, sampler {r.sampler_cpu_s:.1f} s{note}"
        )
    return busy_runs


def _print_warnings(results: list[RunResult], busy_runs: list[float]) -> None:
    n_checks = min((r.checks for r in results), default=0)
    if n_checks < 20:
        print(
            f"\nwarning: only {n_checks} checks: fixed start-up costs (interpreters, imports, "
            "browser launch) dominate the per-check figures and the ratios; use ~30 checks or more"
        )
    busy_warning(max(busy_runs, default=0.0))


def busy_warning(max_others_cores: float) -> None:
    if max_others_cores > 0.25:
        print(
            f"\nwarning: other processes used up to {max_others_cores:.2f} of {os.cpu_count()} "
            "cores during the runs: wall times (and, less so, CPU) are inflated and noisy; repeat "
            "on a quiet machine (--repeat 3) before drawing conclusions"
        )
