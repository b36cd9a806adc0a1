"""``smoke testbed up|status|down|fault|edit|age|fetch``: the face of :mod:`smoke.testbed.farm`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from smoke.model.exit_codes import ExitCode
from smoke.model.values import BadValue, parse_duration
from smoke.testbed import debian_archive, edits, farm, mediawiki
from smoke.testbed.errors import TestbedError
from smoke.testbed.faults import FAULTS
from smoke.testbed.generations import DEFAULT_GENERATION, GENERATIONS
from smoke.testbed.ores import CLONE_URL, ENV_VAR, FALLBACK, REAL, read_checkout
from smoke.testbed.state import FarmState, NoFarm, default_state_dir
from smoke.testbed.wikis import ORES_LEVELS, ORES_MODELS

MAX_AGE_S = 30 * 86400.0  # RecentChanges keeps 30 days on the farm's wikis


def _delay(text: str) -> int:
    """--delay: whole seconds, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"whole seconds, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"0 or more seconds, not {value}")
    return value


def _age(text: str) -> float:
    """--age / DURATION: how far into the past, up to 30 days."""
    try:
        return parse_duration(text, maximum=MAX_AGE_S)
    except BadValue as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
        "--mediawiki",
        choices=tuple(GENERATIONS),
        default=None,
        help=f"MediaWiki generation: 1.43 (Debian 13's package, unpacked in a cache, with "
        f"Extension:ORES REL1_43 on Lift Wing) or 1.39 (Debian 12's package, ORES v3 with formula "
        f"thresholds); default: the one the farm remembers, else {DEFAULT_GENERATION}",
    )
    up.add_argument(
        "--mediawiki-dir",
        type=Path,
        default=None,
        help="MediaWiki tree to serve instead (default: Debian's package of the generation)",
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
        f"the one the farm remembers, else ../shared/vendor/ORES-REL1_43 (1.43) or "
        f"../shared/vendor/ORES (1.39) beside the repository; get one with `git clone "
        f"{CLONE_URL}`)",
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
    fault.add_argument("--mediawiki-dir", type=Path, default=None, help=argparse.SUPPRESS)

    actions.add_parser(
        "fetch",
        help="fetch MediaWiki 1.43 (Debian 13's package) into the cache without starting a farm",
    )

    ed = actions.add_parser(
        "edit",
        help="save an edit now on a wiki (its ORES score job run), optionally aged",
        description="Save one edit now through MediaWiki (maintenance/edit.php) and run the job "
        "queue, so Extension:ORES scores it as production's job runners would. With a scoring "
        "fault on, the job fails and the edit stays unscored (said, not an error).",
    )
    ed.add_argument("wiki")
    ed.add_argument("--page", default=edits.DEFAULT_TITLE, help="title of the page to edit")
    ed.add_argument(
        "--age",
        type=_age,
        default=0.0,
        metavar="DURATION",
        help="then move the edit this far into the past (e.g. 2h, 90m)",
    )
    ed.add_argument(
        "--no-jobs",
        action="store_true",
        help="leave the score job queued: a just-saved edit not scored yet",
    )
    ed.add_argument("--json", action="store_true", help="machine-readable output")

    ag = actions.add_parser(
        "age",
        help="move a wiki's edits into the past (rev_timestamp, rc_timestamp)",
    )
    ag.add_argument("wiki")
    ag.add_argument("by", type=_age, metavar="DURATION", help="how far back, e.g. 2h, 90m")
    ag.add_argument(
        "--rev",
        type=int,
        action="append",
        default=None,
        metavar="REV_ID",
        help="only this revision (repeatable; default: every edit of the wiki)",
    )
    # `--state-dir` is accepted after the action too (`smoke testbed up --state-dir DIR`).
    for action in (up, st, dn, fault, ed, ag):
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
                mediawiki=args.mediawiki,
                mediawiki_dir=args.mediawiki_dir,
                allow_install=not args.no_install,
                ores_extension=args.ores_extension,
                ores_fallback=args.ores_fallback,
            )
            return _print_status(state_dir, as_json=False, header=False)  # `up` said which ORES
        if args.testbed_action == "status":
            return _print_status(state_dir, as_json=args.json)
        if args.testbed_action == "fetch":
            tree = debian_archive.ensure_tree()
            print(f"MediaWiki 1.43 ({debian_archive.tree_version(tree)}) in {tree}")
            return ExitCode.OK
        if args.testbed_action == "edit":
            return _edit(state_dir, args)
        if args.testbed_action == "age":
            moved = edits.age_edits(state_dir, args.wiki, args.by, rev_ids=args.rev)
            print(f"{args.wiki}: {moved} edit(s) moved {args.by:g} s into the past")
            return ExitCode.OK
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


def _edit(state_dir: Path, args: argparse.Namespace) -> int:
    made = edits.edit(
        state_dir, args.wiki, title=args.page, age_s=args.age, run_jobs=not args.no_jobs
    )
    if args.json:
        print(json.dumps(dataclasses.asdict(made), indent=2))
        return ExitCode.OK
    scored = "scored" if made.scored else "not scored"
    why = f" (score job failed: {made.job_error})" if made.job_error else ""
    why = why or (" (score job left queued)" if args.no_jobs else "")
    print(
        f"{made.wiki}: revision {made.rev_id} of {made.title!r} at {made.timestamp}, {scored}{why}"
    )
    return ExitCode.OK


def ores_description(state: FarmState) -> dict[str, Any]:
    """Which ORES the farm's wikis run, for `status`: the checkout, or the imitation."""
    if not state.ores_extension:
        return {"runs": FALLBACK, "dir": None, "version": None, "commit": None}
    try:
        checkout = read_checkout(Path(state.ores_extension))
    except ValueError as exc:
        return {"runs": REAL, "dir": state.ores_extension, "problem": str(exc)}
    return {"runs": REAL, **checkout.as_json(), "text": checkout.describe()}


def mediawiki_description(state: FarmState) -> dict[str, Any]:
    """Which MediaWiki the farm's wikis run, for `status`."""
    tree = state.tree
    return {
        "generation": state.mediawiki,
        "dir": str(tree),
        "version": mediawiki.version(tree),
        "ores_api": "liftwing" if state.ores_liftwing else "v3" if state.ores_extension else None,
    }


def _mediawiki_text(info: dict[str, Any]) -> str:
    return f"MediaWiki: {info['version'] or info['generation']} at {info['dir']}"


def _ores_text(ores: dict[str, Any]) -> str:
    if ores["runs"] == FALLBACK:
        return "ORES: the imitation SmokeOres (no Extension:ORES checkout)"
    if "problem" in ores:
        return f"ORES: Extension:ORES at {ores['dir']}: {ores['problem']}"
    return f"ORES: {ores['text']}"


def _runtime_text(runtime: str, state: FarmState) -> str:
    """What serves ORES on one wiki: "extension (Lift Wing)", "fallback", "none"."""
    if runtime == REAL:
        return f"{REAL} ({'Lift Wing' if state.ores_liftwing else 'ORES v3'})"
    return runtime or "?"


def _levels_text(levels: dict[str, list[str]]) -> str:
    if not levels:
        return "no ORES"
    return "; ".join(f"{model}: {','.join(names) or '-'}" for model, names in levels.items())


def _print_status(state_dir: Path, *, as_json: bool, header: bool = True) -> int:
    state, rows, service_ok = farm.status(state_dir)
    ores = ores_description(state)
    wiki_software = mediawiki_description(state)
    if as_json:
        print(
            json.dumps(
                {
                    "state_dir": state.state_dir,
                    "mediawiki": wiki_software,
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
            print(_mediawiki_text(wiki_software))
            print(_ores_text(ores))
        print(f"scoring service  {state.service_url}  {'answers' if service_ok else 'DOWN'}")
        for row in rows:
            faults = ", ".join(row.fault_names()) or "no faults"
            print(
                f"{row.id:11} {row.url:24} {'answers' if row.answers else 'DOWN':8} "
                f"{_runtime_text(row.ores_runtime, state):9} {_levels_text(row.ores_levels)}  "
                f"[{faults}]"
            )
    healthy = service_ok and all(r.answers or "down" in r.faults for r in rows)
    return ExitCode.OK if healthy else ExitCode.DEFECT
