"""``smoke parity``: the CLI face of :mod:`smoke.survey.parity`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from smoke.config import ConfigError, load_config
from smoke.model.exit_codes import ExitCode
from smoke.model.wikimedia import smoke_agent


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "parity",
        help="what a target offers of a reference's wikis: ORES models and levels, versions",
        description="For every wiki of the reference target, read both targets live (one "
        "Special:RecentChanges page and one api.php request per wiki; no browser, one request "
        "at a time per host) and list what the target does not offer: the wiki, an ORES "
        "model, an ORES level — each a fault the target could not show. Exit 0: the target "
        "covers the reference; 1: it offers less (gaps listed); 3: some wiki could not be read "
        "and no gap was found; 4: bad usage or configuration.",
    )
    parser.add_argument("--config", type=Path, default=Path("wikis.yaml"))
    parser.add_argument("--target", required=True, help="the target to judge (e.g. beta)")
    parser.add_argument(
        "--reference", required=True, help="the target it should match (e.g. production)"
    )
    parser.add_argument(
        "--wiki",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only these wikis of the reference (globs); repeatable",
    )
    parser.add_argument("--testbed-dir", type=Path, default=None)
    parser.add_argument("--json", action="store_true", help="a JSON document instead of the table")
    parser.add_argument(
        "--write",
        default=None,
        metavar="FILE",
        help="write the target's wikis.yaml section with the reference's levels as its "
        "expectations ('-': stdout, the table then goes to stderr)",
    )
    parser.set_defaults(handler=cmd_parity)


def _usage(message: str) -> int:
    print(f"smoke parity: {message}", file=sys.stderr)
    return ExitCode.USAGE


def cmd_parity(args: argparse.Namespace) -> int:
    # Imported here: every other command (`smoke run` above all) starts without the survey.
    from smoke.survey.http import PoliteReader
    from smoke.survey.parity import parity
    from smoke.survey.parity_report import expectations_yaml, gap_lines, print_table, to_json

    if args.json and args.write == "-":
        return _usage("--json and --write - would both use stdout; write the YAML to a file")
    try:
        config = load_config(args.config)
        for name in (args.target, args.reference):
            config.target(name)  # an unknown name is a ConfigError with a "did you mean"
        reader = PoliteReader(smoke_agent(config.contact, "parity"))
        report = parity(
            config,
            args.target,
            args.reference,
            reader,
            wikis=args.wiki,
            testbed_dir=args.testbed_dir,
        )
    except ConfigError as exc:
        return _usage(str(exc))
    out = sys.stderr if args.write == "-" else sys.stdout
    if args.json:
        print(json.dumps(to_json(report), indent=2, ensure_ascii=False), file=out)
    else:
        print_table(report, out)
        print("\n".join(gap_lines(report)), file=out)
    hosts = len(reader.requests)
    print(
        f"smoke parity: {sum(reader.requests.values())} requests to {hosts} "
        f"host{'s' if hosts != 1 else ''}, one at a time per host",
        file=sys.stderr,
    )
    if args.write:
        text = expectations_yaml(config, report)
        if args.write == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(args.write).write_text(text, "utf-8")
            except OSError as exc:
                return _usage(f"cannot write {args.write}: {exc.strerror or exc}")
            print(f"smoke parity: wrote {args.write}", file=sys.stderr)
    return report.exit_code
