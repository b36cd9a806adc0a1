"""The options `smoke run` and the pytest plugin share, declared once.

``smoke run`` is a thin layer over pytest: every option here is a plugin option of the same name
(so ``pytest wikis.yaml --target beta …`` works), an argparse option of ``smoke run``, and is
forwarded from the one to the other by :func:`forward`. CLI-only options (``--config``, ``-k``,
``-n``, ``--baseline``, ``-v``) live in :mod:`smoke.cli.main`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from smoke.model.values import (
    DEFAULT_MAX_PER_HOST,
    DEFAULT_NAVIGATION_TIMEOUT_S,
    DEFAULT_READY_TIMEOUT_S,
    DEFAULT_RETRIES,
    BadValue,
    parse_count,
    parse_duration,
    parse_per_host,
    parse_retries,
    parse_run_id,
    parse_timeout,
)
from smoke.notify.settings import parse_http_url, parse_metrics_file, parse_report_url
from smoke.plan.safety import Resolve


def checked(parse: Callable[[str], Any], name: str) -> Callable[[str], Any]:
    """An argparse ``type=`` that reports a bad value in the parser's own one sentence."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except (BadValue, ValueError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name  # argparse names the type in some messages
    return convert


def _resolve(text: str) -> str:
    Resolve.parse(text)  # refused here, where the option is parsed, not in a worker
    return text


def _evidence_count(text: str) -> int:
    return parse_count(text, minimum=1, maximum=1000)


TIMEOUT = checked(parse_timeout, "seconds")
DURATION = checked(parse_duration, "duration")


@dataclass(frozen=True)
class Option:
    flag: str
    help: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


SELECTION: tuple[Option, ...] = (
    Option(
        "--target", "target in wikis.yaml: local (default), beta, staging, …", {"default": "local"}
    ),
    Option(
        "--wiki",
        "only these wikis (repeatable; globs like 'ru*')",
        {"action": "append", "default": [], "metavar": "PATTERN"},
    ),
    Option(
        "--page",
        "only these pages: recentchanges, watchlist, contributions (repeatable)",
        {"action": "append", "default": [], "metavar": "PATTERN"},
    ),
    Option(
        "--variant",
        "only these variants, e.g. 'plain', 'damaging=*' (repeatable)",
        {"action": "append", "default": [], "metavar": "PATTERN"},
    ),
    Option(
        "--testbed-dir",
        "state directory of the local farm (default: $SMOKE_TESTBED_DIR or "
        "~/.local/state/smoke/testbed)",
        {"type": Path, "default": None},
    ),
)

SHARDING: tuple[Option, ...] = (
    Option(
        "--shard",
        "run only the K-th of N deterministic shards, balanced by the durations of "
        "the last runs in --reports-dir; combine shard runs with `smoke merge`",
        {"default": None, "metavar": "K/N"},
    ),
    Option(
        "--reports-dir",
        "where run directories are created (default: reports)",
        {"type": Path, "default": Path("reports")},
    ),
)

RUN: tuple[Option, ...] = (
    Option(
        "--browser-path",
        "Chromium executable (default: $SMOKE_CHROMIUM; headless: a Chromium headless shell, "
        "Playwright's then Debian's; then a full Chromium, Playwright's then PATH)",
        {"default": None},
    ),
    Option("--headed", "show the browser windows", {"action": "store_true"}),
    Option(
        "--full-loads",
        "load every check from its URL; by default ORES filter variants of a RecentChanges or "
        "Watchlist page already loaded are taken as a filter change in its filters app "
        "(docs/loading.md)",
        {"action": "store_true"},
    ),
    Option(
        "--navigation-timeout",
        f"page load timeout (default: wikis.yaml, else {DEFAULT_NAVIGATION_TIMEOUT_S:g})",
        {"type": TIMEOUT, "default": None, "metavar": "SECONDS"},
    ),
    Option(
        "--ready-timeout",
        "filters-app initialisation timeout (default: wikis.yaml, else "
        f"{DEFAULT_READY_TIMEOUT_S:g})",
        {"type": TIMEOUT, "default": None, "metavar": "SECONDS"},
    ),
    Option(
        "--detectors",
        "comma-separated detectors to run (default: all enabled in wikis.yaml; "
        "see `smoke detectors`)",
        {"default": None, "metavar": "NAMES"},
    ),
    Option(
        "--run-id",
        "name of the run directory: letters, digits, '.', '_', '-' (default: time-based)",
        {"type": checked(parse_run_id, "run id"), "default": None},
    ),
    Option(
        "--retries",
        f"retry a failed or broken check N times (default: wikis.yaml, else {DEFAULT_RETRIES}); "
        "a pass on retry is reported as flaky",
        {"type": checked(parse_retries, "count"), "default": None, "metavar": "N"},
    ),
    Option(
        "--fail-on-flaky",
        "a check that passed only on a retry fails the run (exit 1)",
        {"action": "store_true"},
    ),
    Option(
        "--max-per-host",
        "page loads in flight per host across all workers (default: wikis.yaml, else "
        f"{DEFAULT_MAX_PER_HOST})",
        {"type": checked(parse_per_host, "count"), "default": None, "metavar": "N"},
    ),
    Option(
        "--allow-production",
        "allow Wikimedia production hosts (refused by default)",
        {"action": "store_true"},
    ),
    Option(
        "--resolve",
        "connect to IP for HOST (globs allowed) keeping the host name, like curl "
        "--resolve; repeatable",
        {
            "action": "append",
            "default": [],
            "metavar": "HOST=IP",
            "type": checked(_resolve, "HOST=IP"),
        },
    ),
    Option(
        "--browser-endpoint",
        "use a Playwright browser server (ws://...) instead of launching Chromium",
        {"default": None, "metavar": "WS_URL"},
    ),
    Option(
        "--cdp-endpoint",
        "use a running Chromium's DevTools endpoint (http://host:port)",
        {"default": None, "metavar": "HTTP_URL"},
    ),
    Option(
        "--tracing",
        "Playwright traces (secrets removed) of failing checks: on-retry "
        "(default; traces the retry, no cost for passing checks), retain-on-failure (every "
        "attempt), off",
        {"choices": ("on-retry", "retain-on-failure", "off"), "default": "on-retry"},
    ),
    Option(
        "--deadline",
        "stop loading checks after this long (e.g. 90s, 5m; default: `deadline` of the "
        "target in wikis.yaml, else none): the rest are reported broken, everything is written",
        {"type": DURATION, "default": None, "metavar": "DURATION"},
    ),
    Option(
        "--evidence-per-cause",
        "checks of one root cause that keep full evidence (screenshot, HTML, console, trace); "
        "the rest keep their record and cause (default: wikis.yaml, else 3)",
        {"type": checked(_evidence_count, "count"), "default": None, "metavar": "N"},
    ),
    Option(
        "--screenshots",
        "when to keep screenshot, HTML and console log",
        {"choices": ("on-failure", "always", "never"), "default": "on-failure"},
    ),
)

# Telling people (docs/alerting.md): the same options for `smoke run` and `smoke watch`.
NOTIFY: tuple[Option, ...] = (
    Option(
        "--metrics",
        "write Prometheus metrics to FILE (node_exporter textfile, *.prom; replaced "
        "atomically at the end of the run, after every round of a watch)",
        {"type": checked(parse_metrics_file, "file"), "default": None, "metavar": "FILE"},
    ),
    Option(
        "--pushgateway",
        "push Prometheus metrics to this Pushgateway (job smoke_run or smoke_watch, "
        "grouped by target)",
        {"type": checked(parse_http_url, "URL"), "default": None, "metavar": "URL"},
    ),
    Option(
        "--alertmanager",
        "send one alert per root cause to this Alertmanager (API v2), and resolve the alerts "
        "of causes gone since the last run of the target; unreachable: a warning, same verdict",
        {"type": checked(parse_http_url, "URL"), "default": None, "metavar": "URL"},
    ),
    Option(
        "--report-url",
        "the report link in alerts, '{run_id}' standing for the run's id (default: the "
        "run's summary.md as a file:// URL)",
        {"type": checked(parse_report_url, "URL"), "default": None, "metavar": "URL"},
    ),
)

SHARED: tuple[Option, ...] = SELECTION + SHARDING + RUN + NOTIFY


def add_to_pytest(group: pytest.OptionGroup, options: Sequence[Option] = SHARED) -> None:
    for option in options:
        group.addoption(option.flag, help=option.help, **option.kwargs)


def add_to_argparse(parser: argparse.ArgumentParser, options: Sequence[Option]) -> None:
    for option in options:
        parser.add_argument(option.flag, help=option.help, **option.kwargs)


def forward(args: argparse.Namespace, options: Sequence[Option] = SHARED) -> list[str]:
    """The pytest arguments that give the plugin the values ``smoke run`` was given."""
    argv: list[str] = []
    for option in options:
        value = getattr(args, option.dest)
        action = option.kwargs.get("action")
        if action == "store_true":
            argv += [option.flag] if value else []
        elif action == "append":
            for item in value:
                argv += [option.flag, str(item)]
        elif value is not None:
            argv += [option.flag, str(value)]
    return argv
