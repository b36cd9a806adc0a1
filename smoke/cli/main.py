"""``smoke``: run, list and validate checks; manage the local testbed.

Exit codes: :class:`smoke.model.exit_codes.ExitCode` (also in the README).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NoReturn, cast

from smoke import __version__
from smoke.cli.discover_command import add_parser as add_discover_parser
from smoke.cli.history_commands import add_parsers as add_history_parsers
from smoke.cli.parity_command import add_parser as add_parity_parser
from smoke.cli.report_command import add_parser as add_report_parser
from smoke.config import ConfigError, build_checks, load_config, target_names, wiki_ids
from smoke.judge.detectors import describe
from smoke.model.checks import Check
from smoke.model.exit_codes import ExitCode
from smoke.model.values import MAX_WORKERS, parse_count
from smoke.plan.keywords import describe_selection, select
from smoke.plan.planner import PlanOptions, make_plan
from smoke.plan.shard import parse_shard
from smoke.run import options
from smoke.testbed import cli as testbed_cli


def _selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("wikis.yaml"),
        help="configuration file (default: ./wikis.yaml)",
    )
    options.add_to_argparse(parser, options.SELECTION + options.SHARDING)


class Parser(argparse.ArgumentParser):
    """argparse with smoke's usage exit code (4, as documented) and one sentence, no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"smoke: {self.prog}: {message} (see {self.prog} --help)\n")


def parse_workers(text: str) -> str:
    """'auto' or a count of browsers (1 … MAX_WORKERS)."""
    if text.strip().lower() == "auto":
        return "auto"
    return str(parse_count(text, minimum=1, maximum=MAX_WORKERS))


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
    run.add_argument(
        "-k",
        dest="keyword",
        default=None,
        help="pytest -k expression over check ids ('ruwiki and not watchlist')",
    )
    run.add_argument(
        "-n",
        "--workers",
        default="auto",
        type=options.checked(parse_workers, "workers"),
        help="parallel browsers: a number or 'auto' (what the machine carries); capped by "
        "the checks to run and by memory (~600 MB each)",
    )
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
    testbed_cli.add_parser(sub)
    return parser


def _plan_options(args: argparse.Namespace) -> PlanOptions:
    return PlanOptions(
        config_path=args.config,
        target=args.target,
        wikis=tuple(args.wiki),
        pages=tuple(args.page),
        variants=tuple(args.variant),
        testbed_dir=args.testbed_dir,
        navigation_timeout=getattr(args, "navigation_timeout", None),
        ready_timeout=getattr(args, "ready_timeout", None),
        detectors=tuple(
            d.strip() for d in (getattr(args, "detectors", None) or "").split(",") if d.strip()
        ),
        retries=getattr(args, "retries", None),
        max_per_host=getattr(args, "max_per_host", None),
        allow_production=getattr(args, "allow_production", False),
        shard=parse_shard(args.shard) if getattr(args, "shard", None) else None,
        reports_dir=getattr(args, "reports_dir", Path("reports")),
    )


def _usage_error(message: str) -> int:
    print(f"smoke: {message}", file=sys.stderr)
    return ExitCode.USAGE


def cmd_list(args: argparse.Namespace) -> int:
    try:
        plan = make_plan(_plan_options(args))
    except (ConfigError, ValueError) as exc:
        return _usage_error(str(exc))
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
        return _usage_error(str(exc))
    print(f"{args.config}: OK ({len(target_names(config))} targets, {total} checks in all)")
    return ExitCode.OK


def cmd_detectors(args: argparse.Namespace) -> int:
    for name, help_text in describe():
        print(f"{name:16} {help_text}")
    return ExitCode.OK


def cmd_run(args: argparse.Namespace) -> int:
    from smoke.run.runner import run_pytest  # imports pytest/playwright only when running

    try:
        if args.resolve and args.cdp_endpoint:
            raise ValueError(
                "--resolve cannot change a running browser (--cdp-endpoint): start that "
                "Chromium with --host-resolver-rules='MAP host ip' instead"
            )
        plan = make_plan(_plan_options(args))
        selected = plan.checks
        if args.keyword is not None:
            selected = select(plan.checks, args.keyword, args.config)
        _refuse_empty(args, selected)
        _check_reports_dir(args.reports_dir)
    except (ConfigError, ValueError) as exc:
        return _usage_error(str(exc))
    return run_pytest(args, plan, sum(1 for c in selected if not c.skip_reason))


def _refuse_empty(args: argparse.Namespace, selected: list[Check]) -> None:
    """Nothing checked is never green: a selection without a check to run is a usage error."""
    if any(not c.skip_reason for c in selected):
        return
    selection = describe_selection(
        wikis=args.wiki,
        pages=args.page,
        variants=args.variant,
        keyword=args.keyword,
        shard=args.shard,
    )
    if not selected:
        raise ValueError(f"the selection {selection} matches no check of target {args.target!r}")
    reasons = sorted({c.skip_reason or "" for c in selected})
    raise ValueError(
        f"the selection {selection} matches {len(selected)} check(s) of target "
        f"{args.target!r}, all skipped ({'; '.join(reasons[:2])}"
        f"{'; …' if len(reasons) > 2 else ''}): nothing would be checked"
    )


def _check_reports_dir(reports_dir: Path) -> None:
    """One sentence now rather than a traceback from the first worker."""
    probe = reports_dir
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise ValueError(f"--reports-dir {reports_dir}: {probe} is not a writable directory")


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
