"""Planning and validating a selection of checks, shared by ``smoke run`` and ``smoke watch``.

Both commands refuse the same things the same way before any browser starts (exit 4, one
sentence): a bad configuration, a malformed ``-k``, a selection with nothing to check, a reports
directory that cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smoke.model.checks import Check
from smoke.model.exit_codes import ExitCode
from smoke.model.values import parse_count
from smoke.output.run_dir import reports_dir_problem
from smoke.plan.keywords import describe_selection, select
from smoke.plan.planner import Plan, PlanOptions, make_plan
from smoke.plan.shard import parse_shard
from smoke.run import options


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("wikis.yaml"),
        help="configuration file (default: ./wikis.yaml)",
    )


def add_keyword_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-k",
        dest="keyword",
        default=None,
        help="pytest -k expression over check ids ('ruwiki and not watchlist')",
    )


def parse_workers(text: str) -> str:
    """'auto' or a count of browsers (at least 1; capped later by checks and memory)."""
    if text.strip().lower() == "auto":
        return "auto"
    return str(parse_count(text, minimum=1))


def add_workers_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-n",
        "--workers",
        default="auto",
        type=options.checked(parse_workers, "workers"),
        help="parallel browsers: a number or 'auto' (what the machine carries); capped by "
        "the checks to run and by memory (~600 MB each)",
    )


def plan_options(args: argparse.Namespace) -> PlanOptions:
    """The plan a command's options ask for (options a command lacks take their defaults)."""
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
        # smoke watch has no such option: its rounds load every page in full (docs/loading.md).
        full_loads=getattr(args, "full_loads", True),
    )


def usage_error(message: str) -> int:
    print(f"smoke: {message}", file=sys.stderr)
    return ExitCode.USAGE


def plan_selection(args: argparse.Namespace) -> tuple[Plan, list[Check]]:
    """The plan and the checks ``-k`` keeps; raises ConfigError or ValueError (usage, exit 4)."""
    plan = make_plan(plan_options(args))
    selected = plan.checks
    if args.keyword is not None:
        selected = select(plan.checks, args.keyword, args.config)
    refuse_empty(args, selected)
    check_reports_dir(args.reports_dir)
    return plan, selected


def refuse_empty(args: argparse.Namespace, selected: list[Check]) -> None:
    """Nothing checked is never green: a selection without a check to run is a usage error."""
    if any(not c.skip_reason for c in selected):
        return
    selection = describe_selection(
        wikis=args.wiki,
        pages=args.page,
        variants=args.variant,
        keyword=args.keyword,
        shard=getattr(args, "shard", None),
    )
    if not selected:
        raise ValueError(f"the selection {selection} matches no check of target {args.target!r}")
    reasons = sorted({c.skip_reason or "" for c in selected})
    raise ValueError(
        f"the selection {selection} matches {len(selected)} check(s) of target "
        f"{args.target!r}, all skipped ({'; '.join(reasons[:2])}"
        f"{'; …' if len(reasons) > 2 else ''}): nothing would be checked"
    )


def check_reports_dir(reports_dir: Path) -> None:
    """One sentence now rather than a traceback from the first worker: the directory must be
    creatable and writable (tried, not judged from permission bits: root passes those)."""
    problem = reports_dir_problem(reports_dir)
    if problem:
        raise ValueError(problem)
