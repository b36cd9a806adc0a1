"""The idiomatic ladder: every check a test; goto(wait_until="load"), then the filters app.

What a developer would write with pytest-playwright: no page reuse, no capture, no detectors.
Run only by ``bench.sweep`` (which sets ``BENCH_SPEC``); skipped anywhere else.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error, Page

from bench.spec import SPEC_ENV, LoadCheck, spec_from_env

SPEC = spec_from_env()
if SPEC is None:
    pytest.skip(f"run by bench.sweep ({SPEC_ENV} not set)", allow_module_level=True)
CHECKS: list[LoadCheck] = SPEC["checks"] if SPEC else []
READY = SPEC["ready_selector"] if SPEC else ""


@pytest.mark.parametrize("check", [pytest.param(c, id=c["id"]) for c in CHECKS])
def test_page_loads(page: Page, check: LoadCheck) -> None:
    errors: list[Error] = []
    # A lambda: Playwright cannot wrap a builtin such as errors.append as a handler.
    page.on("pageerror", lambda error: errors.append(error))
    response = page.goto(check["url"], wait_until="load", timeout=check["nav_ms"])
    # < 500, not response.ok: MediaWiki answers an EMPTY RecentChanges list with HTTP 404.
    assert response is not None and response.status < 500, response and response.status
    if check["filters"]:
        page.wait_for_selector(READY, state="attached", timeout=check["ready_ms"])
    assert not errors, errors
