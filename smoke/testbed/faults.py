"""The catalogue of faults the farm can switch on, and what a correct smoke run reports for each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    name: str
    what: str  # what the fault does to the wiki
    expect: str  # what a correct smoke run must report


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "null-threshold-crash",
            "The scoring service returns null thresholds and the extension throws, as in 2017: "
            "HTTP 500 error page on RecentChanges, Watchlist and Contributions.",
            "RC, WL and Contributions checks of the wiki fail (server-error), naming "
            "RuntimeException and the request id.",
        ),
        Fault(
            "null-threshold-silent",
            "The scoring service returns null thresholds; the extension logs and drops the levels "
            "(today's behaviour): pages are HTTP 200 without the ORES filter groups.",
            "RC/WL checks fail with 'ORES filters missing (silent degradation)'; Contributions "
            "checks fail because #ores-hide-nondamaging is missing.",
        ),
        Fault(
            "js-error",
            "An uncaught JavaScript exception on RecentChanges and Watchlist shortly after load.",
            "RC/WL checks fail (javascript: uncaught exception).",
        ),
        Fault(
            "module-error",
            "The extension's ResourceLoader module ext.smokeores.highlighter fails to execute "
            "(mw.loader.getState → 'error').",
            "RC/WL/Contributions checks fail (resourceloader: module in state error).",
        ),
        Fault(
            "refetch-500",
            "The filters app's AJAX list refetch (action=render) returns HTTP 500; the first page "
            "load is fine.",
            "RC/WL checks fail (subrequests: list refetch returned HTTP 500).",
        ),
        Fault(
            "slow",
            "RecentChanges, Watchlist and Contributions take longer than a delay (default 40 s, "
            "`--delay`).",
            "Those checks are broken (navigation timeout) when the delay exceeds smoke's timeout; "
            "exit code 3 when nothing else is wrong.",
        ),
        Fault(
            "flaky",
            "Every other view of RecentChanges, Watchlist or Contributions (shared counter) "
            "fails with HTTP 500; the next one works.",
            "A check that fails once and passes on its retry is reported flaky (exit 0 unless "
            "--fail-on-flaky).",
        ),
        Fault(
            "down",
            "The wiki's web server is stopped (nothing listens on its port).",
            "Every check of the wiki is broken (connection refused); other checks still reported.",
        ),
    )
}
