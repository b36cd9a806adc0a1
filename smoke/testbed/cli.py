"""``smoke testbed up|status|down|fault``: the command-line face of :mod:`smoke.testbed.farm`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from smoke.testbed import farm
from smoke.testbed.errors import TestbedError
from smoke.testbed.faults import FAULTS
from smoke.testbed.install import DEFAULT_MEDIAWIKI_DIR
from smoke.testbed.state import NoFarm, default_state_dir


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    faults_help = "\n".join(f"  {f.name:22} {f.what}" for f in FAULTS.values())
    parser = subparsers.add_parser(
        "testbed",
        help="the bundled local wiki farm (real MediaWiki with ORES-like filters and faults)",
        description="Manage the local wiki farm. Faults:\n" + faults_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="farm state directory (default: $SMOKE_TESTBED_DIR or ~/.local/state/smoke/testbed)",
    )
    actions = parser.add_subparsers(dest="testbed_action", required=True, metavar="ACTION")

    up = actions.add_parser("up", help="install what is missing, create and start the farm")
    up.add_argument(
        "--base-port",
        type=int,
        default=None,
        help=f"scoring service port; wikis use the next ports (default {farm.DEFAULT_BASE_PORT})",
    )
    up.add_argument(
        "--mediawiki-dir",
        type=Path,
        default=DEFAULT_MEDIAWIKI_DIR,
        help="MediaWiki installation to serve (default: Debian's)",
    )
    up.add_argument(
        "--no-install", action="store_true", help="never run apt-get; fail if packages are missing"
    )

    st = actions.add_parser("status", help="each wiki's URL, whether it answers, its faults")
    st.add_argument("--json", action="store_true", help="machine-readable output")

    dn = actions.add_parser("down", help="stop exactly the processes the farm started")
    dn.add_argument("--purge", action="store_true", help="also delete the state directory")

    fault = actions.add_parser("fault", help="switch a fault on or off at run time")
    fault.add_argument("wiki")
    fault.add_argument("name", metavar="FAULT", help=", ".join(FAULTS))
    fault.add_argument("switch", choices=("on", "off"))
    fault.add_argument(
        "--delay", type=int, default=None, help="seconds, for the `slow` fault (default 40)"
    )
    fault.add_argument("--mediawiki-dir", type=Path, default=DEFAULT_MEDIAWIKI_DIR)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    state_dir: Path = (args.state_dir or default_state_dir()).expanduser().resolve()
    try:
        if args.testbed_action == "up":
            farm.up(
                state_dir,
                base_port=args.base_port,
                mediawiki_dir=args.mediawiki_dir,
                allow_install=not args.no_install,
            )
            return _print_status(state_dir, as_json=False)
        if args.testbed_action == "status":
            return _print_status(state_dir, as_json=args.json)
        if args.testbed_action == "down":
            farm.down(state_dir, purge=args.purge)
            return 0
        farm.set_fault(
            state_dir,
            args.wiki,
            args.name,
            args.switch == "on",
            delay=args.delay,
            mediawiki_dir=args.mediawiki_dir,
        )
        return 0
    except NoFarm as exc:
        print(f"smoke testbed: {exc}", file=sys.stderr)
        return 4
    except TestbedError as exc:
        print(f"smoke testbed: {exc}", file=sys.stderr)
        return exc.exit_code


def _print_status(state_dir: Path, *, as_json: bool) -> int:
    state, rows, service_ok = farm.status(state_dir)
    if as_json:
        print(
            json.dumps(
                {
                    "state_dir": state.state_dir,
                    "service": {"url": state.service_url, "answers": service_ok},
                    "wikis": [row.__dict__ for row in rows],
                },
                indent=2,
            )
        )
    else:
        print(f"scoring service  {state.service_url}  {'answers' if service_ok else 'DOWN'}")
        for row in rows:
            faults = ", ".join(row.faults) or "no faults"
            ores = "+".join(row.ores) or "no ORES"
            print(
                f"{row.id:11} {row.url:24} {'answers' if row.answers else 'DOWN':8} "
                f"{ores:18} {faults}"
            )
    return 0 if service_ok and all(r.answers or "down" in r.faults for r in rows) else 1
