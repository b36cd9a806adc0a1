"""The generations scenario: the same sweep on the 1.43 farm and on the 1.39 farm.

What the newer stack costs: MediaWiki 1.43 (Debian 13's package) with Extension:ORES REL1_43 on
Lift Wing, against MediaWiki 1.39 with the 2022 extension on ORES v3. The session's farm is one
generation (a temporary farm is the default, 1.43; ``--testbed-dir`` is whatever it runs); a
second temporary farm of the other generation is brought up beside it and taken down at the end.
Each repeat runs ``smoke run`` of the same selection on both (the order rotates per repeat);
wall, client CPU per check and the farm's server CPU per check are compared, 1.43 over 1.39.
No target: the figures are for bench/README.md.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from bench.env import REPO, log
from bench.farm import Farm
from bench.measure import RunResult, run_measured
from bench.report import median, table
from bench.selection import Patterns, read_config, runnable_checks
from bench.session import Session
from smoke.testbed.generations import GENERATIONS

DEFAULT = Patterns((), (), ())  # the full local sweep


def _other(generation: str) -> str:
    return next(name for name in GENERATIONS if name != generation)


def run(session: Session) -> int:
    main = session.farm
    main_generation = main.state().mediawiki or "1.39"
    other_generation = _other(main_generation)
    other = Farm(session.tmp / f"farm-{other_generation}", temporary=True)
    try:
        other.up(None, other_generation)
        other.require_no_faults()
        farms = {main_generation: main, other_generation: other}
        return _measure(session, farms)
    finally:
        other.down()


def _measure(session: Session, farms: dict[str, Farm]) -> int:
    opts = session.options
    patterns = opts.selection(DEFAULT)
    config = read_config(opts.config)
    order = sorted(farms, reverse=True)  # 1.43 first, then 1.39; rotated per repeat
    checks = {g: runnable_checks(config, patterns, farms[g].base_urls()) for g in order}
    workers = session.workers(len(checks[order[0]]))
    reports = session.tmp / "reports"
    reports.mkdir(exist_ok=True)
    log(
        f"bench.sweep generations: {', '.join(f'{g}: {len(c)} checks' for g, c in checks.items())}"
        f"; {workers} worker(s); {session.cores_and_load()}"
    )
    results: dict[str, list[RunResult]] = {g: [] for g in order}
    # Both farms' servers are spared: the second farm was started after this process became a
    # child subreaper, so its servers are our adopted orphans, which a run's clean-up would kill.
    # Its idle servers add next to nothing to the measured server CPU.
    spared = set().union(*(f.pgids() for f in farms.values()))
    for repeat in range(opts.repeat):
        turn = order[repeat % 2 :] + order[: repeat % 2]
        for generation in turn:
            farm = farms[generation]
            run_id = f"mw{generation}-{repeat}"
            argv = session.smoke_run_argv(patterns, workers, reports, run_id)
            argv[argv.index("--testbed-dir") + 1] = str(farm.state_dir)
            result = run_measured(
                f"MediaWiki {generation}", repeat, argv, cwd=REPO, env=session.env,
                log_path=session.tmp / f"{run_id}.log", timeout=opts.timeout,
                interval=opts.interval(0.5), pgids=spared,
                n_checks=len(checks[generation]),
            )  # fmt: skip
            result.ok_checks = _ok_checks(reports / run_id / "results.json")
            results[generation].append(result)
    return _report(session, results)


def _ok_checks(path: Path) -> int:
    try:
        body = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return 0
    return sum(1 for c in body["checks"] if c["outcome"] == "passed")


def _report(session: Session, results: dict[str, list[RunResult]]) -> int:
    rows = []
    figures: dict[str, dict[str, float]] = {}
    for generation, runs in results.items():
        n = max(runs[0].checks, 1)
        figures[generation] = {
            "wall_s": median([r.wall_s for r in runs]),
            "cpu_per_check_s": median([r.cpu_s / n for r in runs]),
            "server_cpu_per_check_s": median([r.server_cpu_s / n for r in runs]),
        }
        f = figures[generation]
        rows.append(
            [
                f"MediaWiki {generation}",
                str(runs[0].checks),
                f"{f['wall_s']:.1f} s",
                f"{f['cpu_per_check_s']:.2f} s",
                f"{f['server_cpu_per_check_s']:.3f} s",
                "yes" if all(r.completed for r in runs) else "NO",
            ]
        )
    for line in table(
        ("farm", "checks", "wall", "client CPU/check", "server CPU/check", "all passed"), rows
    ):
        print(line)
    new, old = figures.get("1.43"), figures.get("1.39")
    if new and old:
        print(
            "1.43 / 1.39: "
            + ", ".join(
                f"{key} {new[key] / old[key]:.2f}" if old[key] else f"{key} n/a" for key in new
            )
        )
    incomplete = any(not r.completed for runs in results.values() for r in runs)
    session.keep_if(incomplete)
    if session.options.json:
        session.options.json.write_text(
            json.dumps(
                {
                    "scenario": "generations",
                    "figures": figures,
                    "runs": {
                        g: [
                            {k: v for k, v in asdict(r).items() if k != "pss_timeline"}
                            for r in runs
                        ]
                        for g, runs in results.items()
                    },
                },
                indent=2,
            ),
            "utf-8",
        )
    return 2 if incomplete else 0
