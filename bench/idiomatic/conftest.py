"""pytest-playwright's fixtures, hand-written with the same names and scopes.

A session browser per xdist worker; a NEW context and a NEW page per test. Written here so the
``pytest-playwright`` package is not needed; the browser is the one the sweep chose (the spec).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from bench.spec import SPEC_ENV, spec_from_env


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    spec = spec_from_env()
    assert spec is not None, f"{SPEC_ENV} is not set"
    browser = playwright.chromium.launch(executable_path=spec["chromium"], headless=True)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
