"""``smoke``: run, list and validate checks; manage the local testbed.

Exit codes: :class:`smoke.model.exit_codes.ExitCode` (their meanings: docs/options.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NoReturn, cast

from smoke import __version__
from smoke.cli import testbed_command
from smoke.cli.diff_merge_commands import add_parsers as add_history_parsers
from smoke.cli.discover_command import add_parser as add_discover_parser
from smoke.cli.parity_command import add_parser as add_parity_parser
from smoke.cli.report_command import add_parser as add_report_parser
from smoke.cli.selection import (
    add_config_option,
    add_keyword_option,
    add_workers_option,
    plan_options,
    plan_selection,
    usage_error,
)
from smoke.cli.watch_command import add_parser as add_watch_parser
from smoke.config import ConfigError, build_checks, load_config, target_names, wiki_ids
from smoke.judge.detectors import describe
from smoke.model.exit_codes import ExitCode
from smoke.plan.planner import make_plan
from smoke.run import options


def _selection_options(parser: argparse.ArgumentParser) -> None:
    add_config_option(parser)
    options.add_to_argparse(parser, options.SELECTION + options.SHARDING)


class Parser(argparse.ArgumentParser):
    """argparse with smoke's usage exit code (4, as documented) and one sentence, no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"smoke: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="smoke",
        description="Synthetic page-load smoke tests for MediaWiki wikis with ORES.",
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"smoke {__version__}")
    # Subcommands are Parsers too (their usage errors exit 4); the faces below take any parser.
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True, metavar="COMMAND"),
    )

    run = sub.add_parser("run", help="run the checks (a thin layer over pytest)")
    _selection_options(run)
    options.add_to_argparse(run, options.RUN)
    options.add_to_argparse(run, options.NOTIFY)
    add_keyword_option(run)
    add_workers_option(run)
    run.add_argument(
        "--baseline",
        default=None,
        metavar="RUN",
        help="exit code from NEW failures only, compared with RUN (a run id, a path, latest, "
        "previous): the post-deploy job runs smoke before and after the deploy",
    )
    run.add_argument("-v", "--verbose", action="store_true", help="one line per check")
    run.add_argument(
        "pytest_args",
        nargs="*",
        metavar="-- PYTEST_ARGS",
        help="anything after -- goes to pytest unchanged",
    )
    run.set_defaults(handler=cmd_run)

    lst = sub.add_parser("list", help="print the expanded checks (id and URL); no browser")
    _selection_options(lst)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_list)

    val = sub.add_parser("validate", help="check the configuration file and exit")
    val.add_argument("--config", type=Path, default=Path("wikis.yaml"))
    val.set_defaults(handler=cmd_validate)

    det = sub.add_parser("detectors", help="list the detectors and what each one catches")
    det.set_defaults(handler=cmd_detectors)

    add_history_parsers(sub)
    add_report_parser(sub)
    add_discover_parser(sub)
    add_parity_parser(sub)
    add_watch_parser(sub)
    testbed_command.add_parser(sub)
    return parser


def cmd_list(args: argparse.Namespace) -> int:
    try:
        # Listing judges nothing: no need to read earlier runs for drift.
        # Nor does it log in: the login variables need not be set (as for `validate`).
        plan = make_plan(dataclasses.replace(plan_options(args), drift=False), environ=_AnyEnv())
    except (ConfigError, ValueError) as exc:
        return usage_error(str(exc))
    if args.json:
        print(
            json.dumps(
                [{"id": c.id, "url": c.url, "skip_reason": c.skip_reason} for c in plan.checks],
                indent=2,
                ensure_ascii=False,
            )
        )
        return ExitCode.OK
    for check in plan.checks:
        suffix = f"   [skipped: {check.skip_reason}]" if check.skip_reason else ""
        print(f"{check.id}  {check.url}{suffix}")
    runnable = sum(1 for c in plan.checks if not c.skip_reason)
    print(
        f"{len(plan.checks)} checks ({runnable} to run, {len(plan.checks) - runnable} skipped)",
        file=sys.stderr,
    )
    return ExitCode.OK


class _AnyEnv(Mapping[str, str]):
    """Pretends every variable is set: `validate` checks structure, not this shell's secrets."""

    def __getitem__(self, key: str) -> str:
        return "set"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __contains__(self, key: object) -> bool:
        return True


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
        total = 0
        for target in target_names(config):
            urls = {w: "http://127.0.0.1" for w in wiki_ids(config, target)}
            total += len(build_checks(config, target, base_urls=urls, environ=_AnyEnv()))
    except ConfigError as exc:
        return usage_error(str(exc))
    print(f"{args.config}: OK ({len(target_names(config))} targets, {total} checks in all)")
    return ExitCode.OK


def cmd_detectors(args: argparse.Namespace) -> int:
    for name, help_text in describe():
        print(f"{name:16} {help_text}")
    return ExitCode.OK


def cmd_run(args: argparse.Namespace) -> int:
    started = time.monotonic()  # --deadline counts from here, not from pytest's start
    from smoke.run.runner import run_pytest  # imports pytest/playwright only when running

    try:
        if args.resolve and args.cdp_endpoint:
            raise ValueError(
                "--resolve cannot change a running browser (--cdp-endpoint): start that "
                "Chromium with --host-resolver-rules='MAP host ip' instead"
            )
        plan, selected = plan_selection(args)
    except (ConfigError, ValueError) as exc:
        return usage_error(str(exc))
    if args.deadline is not None:
        # What is left of it once planning is done; pytest's start is part of the run's time.
        args.deadline = max(0.001, args.deadline - (time.monotonic() - started))
    return run_pytest(args, plan, sum(1 for c in selected if not c.skip_reason))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        print("smoke: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `smoke list | head`
        sys.stderr.close()
        return ExitCode.OK
    return code


if __name__ == "__main__":
    sys.exit(main())
