"""bench.sweep: measure ``smoke run`` from outside on the local farm, one scenario per invocation.

    .venv/bin/python -m bench.sweep [--scenario baselines|degraded] [--testbed-dir DIR] …

Scenarios (see bench/README.md for how to read their output):

  baselines  the same page loads run by smoke and three baselines (idiomatic pytest-playwright
             suite, floor, floor-parallel); wall, CPU and PSS, ratios against their targets.
  degraded   time to verdict: the same sweep healthy, with one wiki slow, one down, and both;
             wall times against the healthy sweep's.
  generations  the same sweep on the MediaWiki 1.43 farm (Lift Wing) and on the 1.39 farm
             (ORES v3): wall, client and server CPU per check, 1.43 over 1.39.

Every measured run is a process tree of its own, timed and sampled from outside (bench.measure).
Exit codes: 0 all targets met; 1 measured, but some target missed; 2 a run did not complete
(failed checks, timeout): its numbers are not comparable; 4 usage/setup problem; 130 interrupted.
"""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench import baselines, degraded, generations, watch_cost
from bench.env import Interrupted, SetupError, log
from bench.farm import Farm
from bench.options import parse_options
from bench.procfs import kill_and_reap, set_subreaper
from bench.session import Session

# Scenario name -> what runs it: given the session (options, farm, scratch directory), it
# measures, prints and returns the exit status. To add one -- e.g. "watch", the cost of a
# `smoke watch` loop between sweeps -- write bench/<name>.py with ``run(session) -> int``, add
# the name to bench.options.SCENARIOS (and its options in an argument group there), list it here
# and describe it in bench/README.md.
SCENARIOS: dict[str, Callable[[Session], int]] = {
    "baselines": baselines.run,
    "degraded": degraded.run,
    "watch": watch_cost.run,
    "generations": generations.run,
}


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    _raise_on_termination()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    farm = Farm(options.testbed_dir or tmp / "farm", temporary=options.testbed_dir is None)
    session = Session(options, farm, tmp)
    code = 4
    try:
        code = run_scenario(session)
    except (KeyboardInterrupt, Interrupted):
        log("interrupted: cleaning up")
        code = 130
    except SetupError as exc:
        print(exc, file=sys.stderr)
        code = 4
    finally:
        clean_up(session)
    return code


def run_scenario(session: Session) -> int:
    farm = session.farm
    if farm.temporary:
        farm.up(session.options.base_port)
    farm.require_no_faults()  # also: SetupError when there is no farm in --testbed-dir
    # The farm's servers were started before this point, so they are not our descendants;
    # from now on every orphan of a measured tree is adopted by us and its CPU is counted. (A
    # wiki restarted by switching `down` off is adopted too: Farm.pgids() tells it apart.)
    if not set_subreaper():
        log("warning: could not become a child subreaper; orphaned processes' CPU may be lost")
    return SCENARIOS[session.options.scenario](session)


def _raise_on_termination() -> None:
    def on_signal(signum: int, _frame: object) -> None:
        raise Interrupted(signal.Signals(signum).name)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)


def clean_up(session: Session) -> None:
    """Kill what we started (never the farm's servers), take a temporary farm down, and remove
    the scratch directory unless it must be kept."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        pgids = session.farm.pgids()
    except SetupError:
        pgids = set()  # no farm (it never came up): nothing of it to spare, nothing to kill
    if pgids:
        kill_and_reap(pgids)
    if not session.farm.down():
        session.keep = True
    if not session.keep:
        shutil.rmtree(session.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
