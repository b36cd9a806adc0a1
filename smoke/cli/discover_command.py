"""``smoke discover``: the CLI face of :mod:`smoke.survey.discover`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smoke.config import ConfigError, load_config
from smoke.model.exit_codes import ExitCode
from smoke.model.wikimedia import DEFAULT_CONTACT, smoke_agent
from smoke.testbed.state import NoFarm, load_state


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "discover",
        help="write a wikis.yaml section from a target's site matrix: wikis, ORES models "
        "and levels",
        description="Ask a target which wikis it has and which ORES levels (damaging, "
        "goodfaith) each one's Special:RecentChanges offers now; print a `targets:` section "
        "for wikis.yaml. No browser: api.php and one page per wiki, one request at a time per "
        "host. Exit 0; 3 when some wikis did not answer or their levels could not be read "
        "(listed as comments); 4 on bad usage or an unreadable site matrix.",
    )
    parser.add_argument("--config", type=Path, default=Path("wikis.yaml"))
    parser.add_argument(
        "--target",
        default="local",
        help="target whose site matrix to read (its `sitematrix:` API URL; "
        "the local farm needs none)",
    )
    parser.add_argument(
        "--sitematrix",
        default=None,
        metavar="API_URL",
        help="api.php answering action=sitematrix (overrides the config)",
    )
    parser.add_argument(
        "--name", default=None, help="target name in the output (default: --target)"
    )
    parser.add_argument(
        "--wiki",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only these wikis (dbname globs)",
    )
    parser.add_argument(
        "--contributions-user",
        default=None,
        help="account whose Special:Contributions the checks load",
    )
    parser.add_argument("--testbed-dir", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=None, help="write here instead of stdout")
    parser.set_defaults(handler=cmd_discover)


def _sitematrix_api(args: argparse.Namespace) -> tuple[str, str]:
    """(api.php URL, contact for the User-Agent)."""
    contact = DEFAULT_CONTACT
    if args.config.exists():
        config = load_config(args.config)
        contact = config.contact or contact
        if args.sitematrix:
            return args.sitematrix, contact
        target = config.target(args.target)
        if target.sitematrix:
            return target.sitematrix, contact
        if target.testbed:
            state = load_state(args.testbed_dir)
            first = next(iter(state.wikis.values()))
            return f"{first.url}/api.php", contact
        raise ConfigError(
            f"target {args.target!r} has no `sitematrix:` API URL in "
            f"{args.config}; add one or pass --sitematrix"
        )
    if args.sitematrix:
        return args.sitematrix, contact
    raise ConfigError(f"{args.config} not found; pass --sitematrix API_URL")


def cmd_discover(args: argparse.Namespace) -> int:
    # Imported here: every other command (`smoke run` above all) starts without the survey.
    from smoke.survey.discover import DiscoveryError, discover, incomplete, render_yaml

    try:
        api, contact = _sitematrix_api(args)
        found = discover(api, smoke_agent(contact, "discover"), wikis=args.wiki)
    except (ConfigError, NoFarm, DiscoveryError) as exc:
        print(f"smoke discover: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    text = render_yaml(args.name or args.target, found, api, args.contributions_user)
    if args.output:
        args.output.write_text(text, "utf-8")
        print(f"smoke discover: wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    for wiki in found:
        for note in (wiki.problem,) if wiki.problem else wiki.notes:
            print(f"smoke discover: {wiki.site.dbname}: {note}", file=sys.stderr)
    return ExitCode.BROKEN if any(incomplete(w) for w in found) else ExitCode.OK
