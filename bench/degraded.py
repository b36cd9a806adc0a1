"""The degraded scenario: time to verdict of the same sweep when one wiki is slow or down.

Cases, each one ``smoke run`` of the same selection (default: the full local sweep), measured
like the baselines' smoke mode, in one invocation:

  healthy     no fault: the reference
  slow        ``--slow-wiki`` answers RecentChanges/Watchlist/Contributions only after
              ``--delay`` seconds (the farm's ``slow`` fault; longer than the navigation timeout)
  down        ``--down-wiki``'s web server is stopped (the ``down`` fault)
  slow+down   both at once

Each case's wall time is compared with the healthy sweep measured in the same invocation
(medians over repeats). A wiki that cannot answer should cost little more than its checks' first
timeout: the targets are what smoke's early give-up is meant to reach. Faults are switched on
through ``smoke testbed fault`` around each run and always switched off again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from bench.env import REPO, SetupError, log
from bench.farm import Farm, FaultSwitch
from bench.measure import RunResult, run_measured
from bench.options import Options
from bench.report import busy_warning, median, table
from bench.selection import Patterns, read_config, runnable_checks
from bench.session import Session, smoke_outcomes
from smoke.model.checks import Check
from smoke.model.outcome import Outcome

TARGETS = {  # case -> maximum wall time over the healthy sweep's
    "slow": 1.30,
    "down": 1.10,
    "slow+down": 1.30,  # no worse than the slow wiki alone
}
VERDICT_GIVEN = (0, 1, 3)  # smoke's exit codes that carry a verdict (ok, defect, broken)


@dataclass
class CaseRun:
    """One measured run of one case, and what smoke concluded about each check."""

    case: str
    faulted: tuple[str, ...]  # the wikis with a fault in this case
    result: RunResult
    outcomes: dict[str, str]  # check id -> outcome; empty when smoke wrote no results.json

    def split(self) -> tuple[dict[str, int], dict[str, int]]:
        """Outcome counts of the faulted wikis' checks, and of everyone else's."""

        def wiki(check_id: str) -> str:
            return check_id.split("/")[0]

        items = self.outcomes.items()
        return (
            _counts(o for i, o in items if wiki(i) in self.faulted),
            _counts(o for i, o in items if wiki(i) not in self.faulted),
        )

    @property
    def completed(self) -> bool:
        """Smoke gave a verdict on every check in time (healthy: and every check passed)."""
        r = self.result
        if r.timed_out or r.returncode not in VERDICT_GIVEN or len(self.outcomes) < r.checks:
            return False
        return r.completed if self.case == "healthy" else True


def case_faults(case: str, options: Options) -> list[FaultSwitch]:
    slow = FaultSwitch(options.slow_wiki, "slow", options.delay)
    down = FaultSwitch(options.down_wiki, "down")
    return {"healthy": [], "slow": [slow], "down": [down], "slow+down": [slow, down]}[case]


def run(session: Session) -> int:
    opts = session.options
    patterns = opts.selection(Patterns())  # default: everything, as `smoke run` would
    checks = runnable_checks(read_config(opts.config), patterns, session.farm.base_urls())
    _require_faulted_wikis(opts, checks)
    workers = session.workers(len(checks))
    header = [
        f"bench.sweep degraded: {len(checks)} checks of {len({c.wiki for c in checks})} wikis, "
        f"{workers} worker(s); slow: {opts.slow_wiki} ({opts.delay} s), down: {opts.down_wiki}",
        f"farm: {session.farm.describe()}; {session.cores_and_load()}",
    ]
    for line in header:
        log(line)
    try:
        runs = measure_cases(session, patterns, workers, len(checks))
    finally:
        # Each case switches its faults off already; this covers an interruption in between.
        used = {f: None for case in opts.cases for f in case_faults(case, opts)}
        if used:
            log("making sure no fault is left on")
            all_off(session.farm, list(used))
    code = print_cases(runs, header)
    if opts.json:
        body = {
            "scenario": "degraded",
            "header": header,
            "workers": workers,
            "checks": [c.id for c in checks],
            "summary": summarize(runs),
            "targets": TARGETS,
            "runs": [
                {**asdict(r.result), "faulted": r.faulted, "outcomes": r.outcomes} for r in runs
            ],
        }
        opts.json.write_text(json.dumps(body, indent=2), "utf-8")
    session.keep_if(any(not r.completed for r in runs))
    return code


def _require_faulted_wikis(options: Options, checks: list[Check]) -> None:
    selected = {c.wiki for c in checks}
    needed = {w.wiki for case in options.cases for w in case_faults(case, options)}
    missing = sorted(needed - selected)
    if missing:
        raise SetupError(
            f"bench: the selection has no checks of {', '.join(missing)} (the faulted wikis): "
            "select them or choose --slow-wiki/--down-wiki among "
            f"{', '.join(sorted(selected))}"
        )


def measure_cases(
    session: Session, patterns: Patterns, workers: int, n_checks: int
) -> list[CaseRun]:
    """Every case once per repeat; the order rotates per repeat, as the baselines' modes do."""
    cases = list(session.options.cases)
    reports = session.tmp / "reports"
    reports.mkdir(exist_ok=True)
    runs: list[CaseRun] = []
    for rep in range(session.options.repeat):
        for case in cases[rep % len(cases) :] + cases[: rep % len(cases)]:
            faults = case_faults(case, session.options)
            run_id = f"degraded-{case.replace('+', '-')}-{rep + 1}"
            argv = session.smoke_run_argv(patterns, workers, reports, run_id)
            with session.farm.faults(faults):
                result = run_measured(
                    case,
                    rep,
                    argv,
                    cwd=REPO,
                    env=session.env,
                    log_path=session.tmp / f"{run_id}.log",
                    timeout=session.options.timeout,
                    # Runs of minutes: a coarser default keeps the sampler's own CPU small.
                    interval=session.options.interval(1.0),
                    pgids=session.farm.pgids(),  # afresh: `down` changes the farm's groups
                    n_checks=n_checks,
                )
            outcomes = smoke_outcomes(reports, run_id) or {}
            result.ok_checks = sum(o in (Outcome.PASSED, Outcome.FLAKY) for o in outcomes.values())
            result.retried = sum(o == Outcome.FLAKY for o in outcomes.values())
            result.outcomes = _counts(outcomes.values())
            runs.append(CaseRun(case, tuple(f.wiki for f in faults), result, outcomes))
            log(
                f"{case}: wall {result.wall_s:.1f} s, exit {result.returncode}, "
                f"{', '.join(f'{k} {v}' for k, v in result.outcomes.items())}"
            )
    return runs


def all_off(farm: Farm, switches: list[FaultSwitch]) -> None:
    for fault in switches:
        try:
            farm.switch(fault, False)
        except Exception as exc:
            log(f"warning: could not switch fault {fault.describe()} off: {exc}")


def _counts(outcomes: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(outcomes).items()))


def summarize(runs: list[CaseRun]) -> dict[str, dict[str, Any]]:
    """Per case: median wall time, its ratio to healthy's median, the target and the verdict."""
    out: dict[str, dict[str, Any]] = {}
    cases = list(dict.fromkeys(r.case for r in runs))
    walls = {c: median([r.result.wall_s for r in runs if r.case == c]) for c in cases}
    healthy = walls.get("healthy", float("nan"))
    for case in cases:
        mine = [r for r in runs if r.case == case]
        ratio = walls[case] / healthy if healthy else float("nan")
        target = TARGETS.get(case)
        out[case] = {
            "runs": len(mine),
            "completed": sum(r.completed for r in mine),
            "wall_s": walls[case],
            "ratio": ratio,
            "target": target,
            "met": None if target is None else ratio <= target,
            "returncodes": sorted({r.result.returncode for r in mine}, key=str),
        }
    return out


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "-"


def print_cases(runs: list[CaseRun], header: list[str]) -> int:
    """Print the cases and their ratios; exit status 0 targets met, 1 missed, 2 incomplete."""
    summary = summarize(runs)
    print()
    for text in header:
        print(text)
    print()
    cols = ("case", "exit", "wall s", "vs healthy", "target", "verdict", "faulted", "others")
    rows = []
    for case, s in summary.items():
        first = next(r for r in runs if r.case == case)
        faulted, others = first.split()
        target = s["target"]
        rows.append(
            (
                case,
                ",".join(str(c) for c in s["returncodes"]),
                f"{s['wall_s']:.1f}",
                f"{s['ratio']:.2f}",
                "-" if target is None else f"<= {target:.2f}",
                "-" if s["met"] is None else ("met" if s["met"] else "MISSED"),
                ", ".join(first.faulted) + (f": {_describe(faulted)}" if first.faulted else "-"),
                _describe(others),
            )
        )
    for text in table(cols, rows):
        print(text)
    if any(s["runs"] > 1 for s in summary.values()):
        print("(medians over repeats; faulted/others: outcomes of the first run)")
    print(
        "\nvs healthy: wall time over the healthy sweep measured in this invocation; target: "
        "what smoke's\nearly give-up on an unanswering wiki should reach."
    )
    print("\nper run ('others': CPU the rest of the machine used meanwhile, in cores):")
    busy: list[float] = []
    for r in runs:
        res = r.result
        others_cores = res.others_cpu_s / res.wall_s if res.wall_s else 0.0
        busy.append(others_cores)
        print(
            f"  run {res.repeat + 1} {r.case:10} wall {res.wall_s:6.1f} s  exit {res.returncode}  "
            f"CPU {res.cpu_s:6.1f} s  server {res.server_cpu_s:5.1f} s  "
            f"others {others_cores:.2f} cores  {_describe(res.outcomes)}{_flags(r)}"
        )
    busy_warning(max(busy, default=0.0))
    if not all(s["completed"] == s["runs"] for s in summary.values()) or "healthy" not in summary:
        print("\nsome runs did not complete: their times are not comparable (see the logs above)")
        return 2
    return 0 if all(s["met"] is not False for s in summary.values()) else 1


def _flags(r: CaseRun) -> str:
    res = r.result
    flags = []
    if res.timed_out:
        flags.append("TIMED OUT")
    if not r.outcomes:
        flags.append("no results.json")
    elif len(r.outcomes) < res.checks:
        flags.append(f"verdicts on {len(r.outcomes)} of {res.checks} checks")
    if res.returncode not in VERDICT_GIVEN:
        flags.append(f"exit {res.returncode}: no verdict")
    if r.case == "healthy" and res.ok_checks != res.checks:
        flags.append(f"only {res.ok_checks}/{res.checks} passed on the healthy farm")
    faulted, _ = r.split()
    if r.faulted and set(faulted) <= {Outcome.PASSED, Outcome.FLAKY}:
        flags.append("the faulted wikis' checks passed: did the fault take?")
    if res.leaked_processes:
        flags.append(f"{res.leaked_processes} processes leaked")
    return ("  <- " + ", ".join(flags) + f" (log: {res.log})") if flags else ""
