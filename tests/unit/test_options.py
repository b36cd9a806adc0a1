"""`smoke run` and the pytest plugin share one option table: what the CLI is given reaches the
plugin unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from smoke.cli.main import build_parser
from smoke.run import options


def test_forward_passes_every_given_option_and_nothing_else() -> None:
    args = build_parser().parse_args(
        [
            "run",
            "--target",
            "beta",
            "--wiki",
            "ru*",
            "--wiki",
            "frwiki",
            "--headed",
            "--retries",
            "0",
            "--resolve",
            "a.b=127.0.0.1",
            "--testbed-dir",
            "/tmp/tb",
            "-k",
            "not watchlist",
            "--baseline",
            "before",
        ]
    )
    argv = options.forward(args)
    assert argv == [
        "--target",
        "beta",
        "--wiki",
        "ru*",
        "--wiki",
        "frwiki",
        "--testbed-dir",
        "/tmp/tb",
        "--reports-dir",
        "reports",
        "--headed",
        "--retries",
        "0",
        "--resolve",
        "a.b=127.0.0.1",
        "--tracing",
        "on-retry",
        "--screenshots",
        "on-failure",
    ]


def test_the_plugin_registers_the_same_table(pytestconfig: pytest.Config) -> None:
    # The plugin registered the table in this very pytest session, with the same defaults.
    for option in options.SHARED:
        assert pytestconfig.getoption(option.dest) == option.kwargs.get("default", False)
    assert isinstance(pytestconfig.getoption("reports_dir"), Path)
