"""The command line of ``python -m bench.sweep``: common options, then each scenario's own."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from bench.env import REPO
from bench.selection import Patterns

# See bench.sweep.SCENARIOS for what each runs.
SCENARIOS = ("baselines", "degraded", "watch", "latency", "generations")
MODES = (
    "smoke",
    "smoke-full",
    "playwright-test",
    "pytest-playwright",
    "idiomatic",
    "floor",
    "floor-parallel",
)
# The side-by-side scenario (issue 23): smoke against its peers and the floor, in one invocation.
# smoke-full (every check from its URL, --full-loads), idiomatic (the hand-written imitation of
# pytest-playwright) and floor-parallel are there to be asked for with --modes.
DEFAULT_MODES = ("smoke", "playwright-test", "pytest-playwright", "floor")
CASES = ("healthy", "slow", "down", "slow+down", "crash", "silent")
DEFAULT_CASES = ("healthy", "slow", "down", "slow+down")

# --quick: the smallest selection that still exercises every code path of a scenario; for
# checking the bench itself, never for numbers (start-up costs dominate a handful of checks).
QUICK = {
    "baselines": Patterns(("enwiki",), ("recentchanges", "contributions"), ("plain",)),
    "degraded": Patterns((), ("contributions",), ("plain",)),  # one check per wiki
    "watch": Patterns(("ruwiki",), ("recentchanges", "watchlist"), ("plain",)),
    "latency": Patterns((), ("contributions",), ("plain",)),
    "generations": Patterns(("enwiki",), ("recentchanges",), ("plain",)),
}


@dataclass(frozen=True)
class Options:
    scenario: str
    testbed_dir: Path | None
    base_port: int | None
    config: Path
    workers: int | None  # None: smoke's default for the number of checks
    patterns: Patterns  # as given; each scenario fills in its defaults
    quick: bool
    smoke_args: str
    repeat: int
    timeout: float
    sample_interval: float | None  # None: the scenario's default
    json: Path | None
    keep: bool
    # baselines
    modes: tuple[str, ...]
    browser_path: str | None
    warmup: bool
    # degraded
    slow_wiki: str
    down_wiki: str
    delay: int
    cases: tuple[str, ...]
    # latency
    latency: int = 1
    worker_counts: str = "2,auto"

    def interval(self, default: float) -> float:
        """The /proc sampling period: as given, else the scenario's ``default``."""
        return self.sample_interval if self.sample_interval is not None else default

    def selection(self, default: Patterns) -> Patterns:
        """The selection: as given, else --quick's, else the scenario's ``default``."""
        base = QUICK[self.scenario] if self.quick else default
        return self.patterns.or_else(base)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # Usage errors exit 4, as smoke's do (2 means "a run did not complete" here).
        self.print_usage(sys.stderr)
        self.exit(4, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m bench.sweep",
        description="Measure `smoke run` from outside on the local farm (see bench/README.md).",
    )
    parser.add_argument(
        "--scenario",
        choices=SCENARIOS,
        default="baselines",
        help="baselines: smoke against idiomatic/floor/floor-parallel on the same checks "
        "(default); degraded: time to verdict of the full sweep with one wiki slow / down; "
        "watch: a steady smoke watch round against a fresh smoke run of the same checks",
    )
    farm = parser.add_argument_group("farm")
    farm.add_argument(
        "--testbed-dir",
        type=Path,
        default=None,
        help="use this running farm (default: bring up a temporary one and take it down at the "
        "end)",
    )
    farm.add_argument(
        "--base-port",
        type=int,
        default=None,
        help="first port of the temporary farm (default: random free ports)",
    )
    sel = parser.add_argument_group("selection (same patterns as `smoke run`)")
    sel.add_argument("--wiki", action="append", default=[], metavar="PATTERN")
    sel.add_argument("--page", action="append", default=[], metavar="PATTERN")
    sel.add_argument("--variant", action="append", default=[], metavar="PATTERN")
    sel.add_argument(
        "--quick",
        action="store_true",
        help="the smallest selection that exercises the scenario (to check the bench, not to "
        "measure)",
    )
    _add_run_options(parser.add_argument_group("runs"))
    base = parser.add_argument_group("baselines scenario")
    base.add_argument(
        "--modes",
        default=",".join(DEFAULT_MODES),
        help=f"comma-separated subset of {', '.join(MODES)}",
    )
    base.add_argument(
        "--browser-path",
        default=None,
        help="Chromium for the baselines (default: what smoke would find)",
    )
    base.add_argument(
        "--no-warmup",
        action="store_true",
        help="skip the unmeasured warm-up loads (one per wiki and page)",
    )
    deg = parser.add_argument_group("degraded scenario")
    deg.add_argument("--slow-wiki", default="ruwiki", help="wiki given the `slow` fault (ruwiki)")
    deg.add_argument("--down-wiki", default="frwiki", help="wiki given the `down` fault (frwiki)")
    deg.add_argument("--delay", type=int, default=45, help="the slow fault's delay in s (45)")
    deg.add_argument(
        "--cases",
        default=",".join(DEFAULT_CASES),
        help=f"comma-separated subset of {', '.join(CASES)} (default: "
        f"{','.join(DEFAULT_CASES)}; crash/silent: a broken deploy on every wiki with ORES)",
    )
    lat = parser.add_argument_group("latency scenario")
    lat.add_argument("--latency", type=int, default=1, help="seconds added to every page view (1)")
    lat.add_argument(
        "--worker-counts",
        default="2,auto",
        help="comma-separated worker counts to compare; auto: smoke's default for a remote "
        "target (2,auto)",
    )
    return parser


def _add_run_options(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--config",
        type=Path,
        default=REPO / "wikis.yaml",
        help="smoke configuration (default: the repository's wikis.yaml)",
    )
    group.add_argument(
        "--workers", default="auto", help="pytest workers (default: smoke's auto for the checks)"
    )
    group.add_argument(
        "--smoke-args",
        default="",
        help="extra `smoke run` arguments (one shell-quoted string), e.g. "
        "'--browser-path /usr/bin/chromium'",
    )
    group.add_argument("--repeat", type=int, default=1, help="runs of each mode or case (1)")
    group.add_argument(
        "--timeout", type=float, default=900.0, help="seconds one run may take (900)"
    )
    group.add_argument(
        "--sample-interval",
        type=float,
        default=None,
        help="seconds between /proc samples (baselines 0.2, degraded 1: its runs are long)",
    )
    group.add_argument("--json", type=Path, default=None, help="also write raw results here")
    group.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (logs, specs, reports)"
    )


def _subset(
    parser: argparse.ArgumentParser, what: str, given: str, known: tuple[str, ...]
) -> tuple[str, ...]:
    chosen = tuple(m.strip() for m in given.split(",") if m.strip())
    unknown = set(chosen) - set(known)
    if unknown or not chosen:
        parser.error(f"unknown {what} {sorted(unknown)}; choose from {', '.join(known)}")
    return chosen


def parse_options(argv: list[str] | None) -> Options:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.testbed_dir is not None and args.base_port is not None:
        parser.error("--base-port is for the temporary farm; not with --testbed-dir")
    if args.workers != "auto" and not (args.workers.isdigit() and int(args.workers) >= 1):
        parser.error("--workers: a number >= 1 or auto")
    cases = _subset(parser, "cases", args.cases, CASES)
    if args.scenario == "degraded" and "healthy" not in cases:
        parser.error("--cases must include healthy: the other cases are measured against it")
    if args.slow_wiki == args.down_wiki:
        parser.error("--slow-wiki and --down-wiki must be different wikis")
    return Options(
        scenario=args.scenario,
        testbed_dir=args.testbed_dir.resolve() if args.testbed_dir else None,
        base_port=args.base_port,
        config=args.config,
        workers=None if args.workers == "auto" else int(args.workers),
        patterns=Patterns(tuple(args.wiki), tuple(args.page), tuple(args.variant)),
        quick=args.quick,
        smoke_args=args.smoke_args,
        repeat=args.repeat,
        timeout=args.timeout,
        sample_interval=args.sample_interval,
        json=args.json,
        keep=args.keep,
        modes=_subset(parser, "modes", args.modes, MODES),
        browser_path=args.browser_path,
        warmup=not args.no_warmup,
        slow_wiki=args.slow_wiki,
        down_wiki=args.down_wiki,
        delay=args.delay,
        cases=cases,
        latency=args.latency,
        worker_counts=args.worker_counts,
    )
