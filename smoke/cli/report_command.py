"""``smoke report [RUN]``: build the Allure 3 HTML report of a run (:mod:`smoke.finished.report`).

Exit codes: 0 built; 4 nothing built (no such run, no allure-results, Allure not installed,
--output is something else); 5 Allure itself failed (node missing, crash, timeout).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smoke.finished.report.build import REPORT_DIR, ReportError, ReportRequest, build_report
from smoke.finished.report.history import HISTORY_FILE
from smoke.model.exit_codes import ExitCode
from smoke.output.run_dir import LATEST


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report",
        help="build the Allure HTML report of a run (history, environment, categories)",
        description=(
            "Build the Allure 3 HTML report of a run: counts, categories (known issue, flaky, "
            "product defect, could not check), environment (target, wikis, MediaWiki version, "
            "smoke version, git commit) and history/trends of the runs reported before it "
            f"(kept in <reports-dir>/{HISTORY_FILE}). Building the report of an "
            "old run shows only the runs before it and files it at its place in the history; "
            "rebuilding a report replaces its history entry. Needs "
            "`npm ci --prefix tools/allure` once."
        ),
    )
    parser.add_argument(
        "run",
        nargs="?",
        default=LATEST,
        metavar="RUN",
        help="run directory name under --reports-dir, or the run directory's path "
        "(default: latest)",
    )
    parser.add_argument(
        "--reports-dir",
        type=Path,
        default=Path("reports"),
        help="where run directories are (default: reports)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"report directory (default: <reports-dir>/<run>/{REPORT_DIR}); "
        "a previous report there is replaced",
    )
    parser.add_argument(
        "--single-file",
        action="store_true",
        help="one self-contained index.html (to attach or mail); default: a directory",
    )
    parser.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    request = ReportRequest(
        reports_dir=args.reports_dir,
        run=args.run,
        output=args.output,
        single_file=args.single_file,
    )
    try:
        built = build_report(request)
    except ReportError as exc:
        print(f"smoke: {exc}", file=sys.stderr)
        return exc.code
    for note in built.notes:
        print(f"smoke: note: {note}", file=sys.stderr)
    runs = "run" if built.history_runs == 1 else "runs"
    print(
        f"report of {built.run_id}: {built.index} "
        f"({built.history_runs} {runs} in history, built in {built.seconds:.1f} s)"
    )
    if not args.single_file:
        # The directory report fetches its data files: browsers refuse that from file://.
        print(
            f"open it over HTTP, e.g. `python3 -m http.server --bind 127.0.0.1 -d {built.output}` "
            "(or build with --single-file to open the file directly)"
        )
    return ExitCode.OK
