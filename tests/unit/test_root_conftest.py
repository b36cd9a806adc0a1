"""The repository's conftest.py: the smoke plugin is there exactly once, entry point or not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A selection that needs neither the local farm nor credentials nor the network (--collect-only).
COLLECT = ["--collect-only", "-q", "-p", "no:cacheprovider", str(ROOT / "wikis.yaml")]
SELECTION = ["--target", "beta", "--page", "recentchanges", "--variant", "plain"]


def collect(*extra: str, autoload: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", *COLLECT, *SELECTION, *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_installed_plugin_is_not_registered_a_second_time() -> None:
    result = collect()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "already registered" not in result.stdout + result.stderr
    assert "/recentchanges/plain" in result.stdout


def test_without_entry_points_the_conftest_registers_the_plugin() -> None:
    result = collect(autoload=False)
    assert result.returncode == 0, result.stdout + result.stderr
    checks = [line for line in result.stdout.splitlines() if "/recentchanges/plain" in line]
    assert len(checks) == len(collect().stdout.split("/recentchanges/plain")) - 1 > 0


def test_the_plugin_can_still_be_turned_off() -> None:
    result = collect("-p", "no:smoke", autoload=False)
    assert result.returncode != 0
    assert "unrecognized arguments: --target" in result.stderr
