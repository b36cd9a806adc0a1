"""``smoke watch``: the argparse face of watching a deploy window (:mod:`smoke.watch.loop`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from smoke.cli.selection import (
    add_config_option,
    add_keyword_option,
    add_workers_option,
    plan_selection,
    usage_error,
)
from smoke.config import ConfigError
from smoke.model.exit_codes import WATCH_EXIT_MEANINGS, ExitCode
from smoke.model.values import parse_positive
from smoke.notify.settings import NotifySettings
from smoke.run import options

# The options of `smoke run` that mean the same in a watch. Not here: --shard (a watch is one
# machine's view), --deadline (--for), --baseline (the first round is the baseline),
# --fail-on-flaky (a flaky check passed), the remote-browser endpoints and --tracing.
WATCH_RUN_OPTIONS = (
    "--browser-path",
    "--headed",
    "--navigation-timeout",
    "--ready-timeout",
    "--detectors",
    "--run-id",
    "--retries",
    "--max-per-host",
    "--allow-production",
    "--resolve",
    "--screenshots",
)

EPILOG = (
    "Rounds never overlap: the next starts --every after the previous one started, or at once "
    "when a round took longer (the output says so). Transitions are printed as they happen, "
    "with the time since the watch started. One run directory for the whole watch: "
    "results.json (last record of every check, plus rounds and timeline), summary.md (the "
    "timeline: what failed when, for how long, with the evidence of its first failing round), "
    "junit.xml (last round).\n\nexit codes:\n"
    + "\n".join(
        f"  {int(code):>3}  {WATCH_EXIT_MEANINGS[code]}"
        for code in (
            ExitCode.OK,
            ExitCode.DEFECT,
            ExitCode.RECOVERED,
            ExitCode.BROKEN,
            ExitCode.USAGE,
            ExitCode.INTERRUPTED,
        )
    )
)


def _picked(available: Sequence[options.Option], flags: Sequence[str]) -> list[options.Option]:
    return [option for option in available if option.flag in flags]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    watch = sub.add_parser(
        "watch",
        help="repeat the checks through a deploy window; print what changes, when",
        description="Repeat a selection every --every for --for (or until Ctrl-C) with "
        "browsers, pages and logins kept between rounds, and print each check that changes "
        "state (passed → failed, failed → passed) the moment it is seen.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(watch)
    options.add_to_argparse(watch, options.SELECTION)
    options.add_to_argparse(watch, _picked(options.SHARDING, ("--reports-dir",)))
    options.add_to_argparse(watch, _picked(options.RUN, WATCH_RUN_OPTIONS))
    options.add_to_argparse(watch, options.NOTIFY)
    add_keyword_option(watch)
    add_workers_option(watch)
    watch.add_argument(
        "--every",
        type=options.DURATION,
        default=60.0,
        metavar="DURATION",
        help="start a round this often (e.g. 30s, 2m; default 60s)",
    )
    watch.add_argument(
        "--for",
        dest="for_s",
        type=options.DURATION,
        default=None,
        metavar="DURATION",
        help="watch this long (e.g. 20m, 1h); no round starts after it (default: until Ctrl-C)",
    )
    watch.add_argument(
        "--rounds",
        type=options.checked(parse_positive, "count"),
        default=None,
        metavar="N",
        help="stop after N rounds (with --for: whichever comes first)",
    )
    watch.add_argument(
        "--exit-on-failure",
        action="store_true",
        help="stop at the first new failure (a check failing that did not fail in the "
        "previous round; in the first round, any failure) with exit 1, once its round ends",
    )
    watch.add_argument("-v", "--verbose", action="store_true", help="one line per round")
    watch.set_defaults(handler=cmd_watch)


def cmd_watch(args: argparse.Namespace) -> int:
    from smoke.watch.loop import WatchRequest, run_watch  # processes and browsers: when watching

    try:
        plan, selected = plan_selection(args)
    except (ConfigError, ValueError) as exc:
        return usage_error(str(exc))
    request = WatchRequest(
        every_s=args.every,
        for_s=args.for_s,
        rounds=args.rounds,
        exit_on_failure=args.exit_on_failure,
        screenshots=args.screenshots,
        verbose=args.verbose,
        workers=args.workers,
        reports_dir=args.reports_dir,
        run_id=args.run_id,
        browser_path=args.browser_path,
        headed=args.headed,
        resolves=tuple(args.resolve),
        notify=NotifySettings(
            metrics_file=args.metrics,
            pushgateway=args.pushgateway,
            alertmanager=args.alertmanager,
            report_url=args.report_url,
        ),
    )
    return run_watch(request, plan, selected)
