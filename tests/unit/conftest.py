"""The unit suite's two rules, enforced: no browser, no farm (docs/development.md, "Tests").

A unit test works on hand-built data. One that needs Chromium or the wiki farm belongs in
tests/integration, where the session farm and the per-module browser are. Both rules are checked
here rather than trusted, so that `./run tests tests/unit` stays within its 60 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import BrowserType

from smoke.testbed import farm

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A unit test marked ``integration`` is a test in the wrong folder: stop at collection."""
    # The hook sees the whole session's items (tests/integration's too): only ours count.
    misplaced = [
        item.nodeid
        for item in items
        if HERE in item.path.resolve().parents and item.get_closest_marker("integration")
    ]
    if misplaced:
        raise pytest.UsageError(
            "tests marked integration under tests/unit (move them to tests/integration): "
            + ", ".join(misplaced)
        )


def _refuse(what: str) -> NoReturn:
    raise AssertionError(f"a unit test started {what}: move it to tests/integration")


@pytest.fixture(autouse=True)
def no_browser_no_farm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Launching Chromium or starting the farm in a unit test's process fails the test."""
    for method in ("launch", "launch_persistent_context", "connect", "connect_over_cdp"):
        monkeypatch.setattr(
            BrowserType, method, lambda *_a, _m=method, **_k: _refuse(f"Chromium ({_m})")
        )
    monkeypatch.setattr(farm, "up", lambda *_a, **_k: _refuse("the wiki farm (farm.up)"))
    yield
