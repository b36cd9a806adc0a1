"""The one thing a pytest-playwright user on this machine must set: Debian's Chromium.

Everything else is the plugin's own fixtures (a session browser per xdist worker, a new context
and page per test, its artifacts handling), as its users run it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest


def read_spec() -> dict[str, Any]:
    """The sweep's spec ($BENCH_SPEC); empty when not run by the sweep."""
    path = os.environ.get("BENCH_SPEC")
    return json.loads(Path(path).read_text("utf-8")) if path else {}


SPEC = read_spec()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": SPEC["chromium"]}
