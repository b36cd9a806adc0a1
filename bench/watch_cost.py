"""The watch scenario: a round of ``smoke watch`` against a fresh ``smoke run`` of the same checks.

``smoke watch`` keeps its workers, browsers, pages and login sessions between rounds, so a round
of an unchanged selection should take at most what a fresh ``smoke run`` of it takes (which
starts workers and browsers and logs in). Measured in one invocation: the fresh run, then a watch
of ``--rounds`` back-to-back rounds (``--every 1ms``); round 1 pays the start-up, the later rounds
are the steady state compared with the fresh run. The watch's own counters say it started one
browser per worker and logged in once per wiki.
"""

from __future__ import annotations

import json
from typing import Any

from bench.env import REPO, SMOKE, log
from bench.measure import run_measured
from bench.selection import TARGET, Patterns, read_config, runnable_checks
from bench.session import Session

DEFAULT = Patterns(("ruwiki", "frwiki"), ("recentchanges", "watchlist"), ())
ROUNDS = 3
TARGET_RATIO = 1.0  # a steady round over the fresh run's wall time


def _watch_argv(session: Session, patterns: Patterns, workers: int, run_id: str) -> list[str]:
    return [
        SMOKE, "watch", "--config", str(session.options.config), "--target", TARGET,
        "--testbed-dir", str(session.farm.state_dir), "--reports-dir",
        str(session.tmp / "reports"), "--run-id", run_id, "-n", str(workers),
        "--every", "1ms", "--rounds", str(ROUNDS), *patterns.smoke_args(),
    ]  # fmt: skip


def run(session: Session) -> int:
    opts = session.options
    patterns = opts.selection(DEFAULT)
    checks = runnable_checks(read_config(opts.config), patterns, session.farm.base_urls())
    workers = session.workers(len(checks))
    reports = session.tmp / "reports"
    reports.mkdir(exist_ok=True)
    log(f"bench.sweep watch: {len(checks)} checks, {workers} worker(s), {ROUNDS} rounds")
    pgids = session.farm.pgids()
    common: dict[str, Any] = {
        "cwd": REPO, "env": session.env, "timeout": opts.timeout,
        "interval": opts.interval(0.5), "pgids": pgids, "n_checks": len(checks),
    }  # fmt: skip
    fresh = run_measured(
        "smoke run", 0, session.smoke_run_argv(patterns, workers, reports, "watch-fresh"),
        log_path=session.tmp / "fresh.log", **common,
    )  # fmt: skip
    watch = run_measured(
        "smoke watch", 0, _watch_argv(session, patterns, workers, "watch-rounds"),
        log_path=session.tmp / "watch.log", **common,
    )  # fmt: skip
    body = json.loads((reports / "watch-rounds" / "results.json").read_text("utf-8"))
    rounds = [float(r["duration_s"]) for r in body.get("rounds", [])]
    meta = body.get("watch", {})
    steady = max(rounds[1:]) if len(rounds) > 1 else float("nan")
    ratio = steady / fresh.wall_s if fresh.wall_s else float("nan")
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"fresh smoke run: wall {fresh.wall_s:.1f} s, client CPU {fresh.cpu_s:.1f} s")
    print(
        f"smoke watch, {len(rounds)} rounds: "
        + ", ".join(f"{r:.1f} s" for r in rounds)
        + f"; whole watch wall {watch.wall_s:.1f} s, client CPU {watch.cpu_s:.1f} s"
    )
    print(
        f"steady round / fresh run: {ratio:.2f} (target <= {TARGET_RATIO:.2f}: {verdict}); "
        f"browsers started {meta.get('browsers_started')} for {meta.get('workers_started')} "
        f"workers, logins {meta.get('logins')}"
    )
    if opts.json:
        opts.json.write_text(
            json.dumps({"scenario": "watch", "fresh_wall_s": fresh.wall_s, "rounds": rounds,
                        "ratio": ratio, "watch": meta}, indent=2), "utf-8",
        )  # fmt: skip
    return 0 if verdict == "met" else 1
