"""``smoke testbed up|status|down|fault``: the command-line face of :mod:`smoke.testbed.farm`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from smoke.model.exit_codes import ExitCode
from smoke.testbed import farm
from smoke.testbed.errors import TestbedError
from smoke.testbed.faults import FAULTS
from smoke.testbed.install import DEFAULT_MEDIAWIKI_DIR
from smoke.testbed.ores import CLONE_URL, ENV_VAR, FALLBACK, REAL, read_checkout
from smoke.testbed.state import FarmState, NoFarm, default_state_dir
from smoke.testbed.wikis import ORES_LEVELS, ORES_MODELS


def _delay(text: str) -> int:
    """--delay: whole seconds, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"whole seconds, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"0 or more seconds, not {value}")
    return value


def _base_port(text: str) -> int:
    """--base-port: the farm takes this port and the next few; no privileged ports."""
    last = 65535 - len(farm.WIKI_SPECS)
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a port number, not {text!r}") from None
    if not 1024 <= value <= last:
        raise argparse.ArgumentTypeError(
            f"between 1024 and {last} (the wikis take the next ports), not {value}"
        )
    return value


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    faults_help = "\n".join(f"  {f.name:22} {f.what}" for f in FAULTS.values())
    parser = subparsers.add_parser(
        "testbed",
        help="the bundled local wiki farm (real MediaWiki with Extension:ORES and faults)",
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
        type=_base_port,
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
    ores = up.add_mutually_exclusive_group()
    ores.add_argument(
        "--ores-extension",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"checkout of the real Extension:ORES the wikis load (default: ${ENV_VAR}, else "
        f"the one the farm remembers; get one with `git clone {CLONE_URL}`)",
    )
    ores.add_argument(
        "--ores-fallback",
        action="store_true",
        help="run the bundled ORES imitation even if a checkout is remembered",
    )

    st = actions.add_parser("status", help="each wiki's URL, whether it answers, ORES, faults")
    st.add_argument("--json", action="store_true", help="machine-readable output")

    dn = actions.add_parser("down", help="stop exactly the processes the farm started")
    dn.add_argument("--purge", action="store_true", help="also delete the state directory")

    fault = actions.add_parser("fault", help="switch a fault on or off at run time")
    fault.add_argument("wiki")
    fault.add_argument("name", metavar="FAULT", help=", ".join(FAULTS))
    fault.add_argument("switch", choices=("on", "off"))
    fault.add_argument(
        "--delay",
        type=_delay,
        default=None,
        help="seconds, for the `slow` fault (default 40); with `flaky`, every other view "
        "hangs this long instead of failing",
    )
    fault.add_argument(
        "--model",
        default=None,
        help=f"for level-null, threshold-off, threshold-string, model-off, model-unregistered: "
        f"{' or '.join(ORES_MODELS)}",
    )
    fault.add_argument(
        "--level",
        default=None,
        help=f"for level-null, threshold-off, threshold-string: one of {', '.join(ORES_LEVELS)}",
    )
    fault.add_argument("--mediawiki-dir", type=Path, default=DEFAULT_MEDIAWIKI_DIR)
    # `--state-dir` is accepted after the action too (`smoke testbed up --state-dir DIR`).
    for action in (up, st, dn, fault):
        action.add_argument(
            "--state-dir", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
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
                ores_extension=args.ores_extension,
                ores_fallback=args.ores_fallback,
            )
            return _print_status(state_dir, as_json=False, header=False)  # `up` said which ORES
        if args.testbed_action == "status":
            return _print_status(state_dir, as_json=args.json)
        if args.testbed_action == "down":
            farm.down(state_dir, purge=args.purge)
            return ExitCode.OK
        farm.set_fault(
            state_dir,
            args.wiki,
            args.name,
            args.switch == "on",
            delay=args.delay,
            model=args.model,
            level=args.level,
            mediawiki_dir=args.mediawiki_dir,
        )
        return ExitCode.OK
    except NoFarm as exc:
        print(f"smoke testbed: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except TestbedError as exc:
        print(f"smoke testbed: {exc}", file=sys.stderr)
        return exc.exit_code


def ores_description(state: FarmState) -> dict[str, Any]:
    """Which ORES the farm's wikis run, for `status`: the checkout, or the imitation."""
    if not state.ores_extension:
        return {"runs": FALLBACK, "dir": None, "version": None, "commit": None}
    try:
        checkout = read_checkout(Path(state.ores_extension))
    except ValueError as exc:
        return {"runs": REAL, "dir": state.ores_extension, "problem": str(exc)}
    return {"runs": REAL, **checkout.as_json(), "text": checkout.describe()}


def _ores_text(ores: dict[str, Any]) -> str:
    if ores["runs"] == FALLBACK:
        return "ORES: the imitation SmokeOres (no Extension:ORES checkout)"
    if "problem" in ores:
        return f"ORES: Extension:ORES at {ores['dir']}: {ores['problem']}"
    return f"ORES: {ores['text']}"


def _levels_text(levels: dict[str, list[str]]) -> str:
    if not levels:
        return "no ORES"
    return "; ".join(f"{model}: {','.join(names) or '-'}" for model, names in levels.items())


def _print_status(state_dir: Path, *, as_json: bool, header: bool = True) -> int:
    state, rows, service_ok = farm.status(state_dir)
    ores = ores_description(state)
    if as_json:
        print(
            json.dumps(
                {
                    "state_dir": state.state_dir,
                    "service": {"url": state.service_url, "answers": service_ok},
                    "ores": ores,
                    "wikis": [
                        {
                            "id": row.id,
                            "url": row.url,
                            "answers": row.answers,
                            "faults": row.faults,
                            "ores": row.ores,
                            "ores_runtime": row.ores_runtime,
                            "ores_levels": row.ores_levels,
                        }
                        for row in rows
                    ],
                },
                indent=2,
            )
        )
    else:
        if header:
            print(_ores_text(ores))
        print(f"scoring service  {state.service_url}  {'answers' if service_ok else 'DOWN'}")
        for row in rows:
            faults = ", ".join(row.fault_names()) or "no faults"
            print(
                f"{row.id:11} {row.url:24} {'answers' if row.answers else 'DOWN':8} "
                f"{row.ores_runtime or '?':9} {_levels_text(row.ores_levels)}  [{faults}]"
            )
    healthy = service_ok and all(r.answers or "down" in r.faults for r in rows)
    return ExitCode.OK if healthy else ExitCode.DEFECT
