"""Every check a test: goto(wait_until="load"), then on RecentChanges/Watchlist the filters app."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error, Page

# Read here too (not imported from conftest.py: this directory is its own rootdir).
_PATH = os.environ.get("BENCH_SPEC")
if not _PATH:
    pytest.skip("run by bench.sweep (BENCH_SPEC not set)", allow_module_level=True)
SPEC: dict[str, Any] = json.loads(Path(_PATH or "").read_text("utf-8"))
CHECKS: list[dict[str, Any]] = SPEC["checks"]


@pytest.mark.parametrize("check", [pytest.param(c, id=c["id"]) for c in CHECKS])
def test_page_loads(page: Page, check: dict[str, Any]) -> None:
    errors: list[Error] = []
    page.on("pageerror", lambda error: errors.append(error))
    response = page.goto(check["url"], wait_until="load", timeout=check["nav_ms"])
    # < 500, not response.ok: MediaWiki answers an EMPTY RecentChanges list with HTTP 404.
    assert response is not None and response.status < 500, response and response.status
    if check["filters"]:
        page.wait_for_selector(SPEC["ready_selector"], state="attached", timeout=check["ready_ms"])
    assert not errors, errors
