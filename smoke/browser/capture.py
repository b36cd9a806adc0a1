"""Driving the browser: one check in, one :class:`~smoke.model.record.PageRecord` out.

This is the only module that talks to Playwright about page loads. It does not judge: it records.
Speed matters here (the machine is CPU-bound and a new page costs a renderer process), so a
:class:`PagePool` keeps one page per identity and reuses it with ``goto``; listeners are attached
per check, so checks stay independent.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request

from smoke.browser.errors import (
    PlaywrightError,
    PlaywrightTimeout,
    navigation_error,
    page_crashed,
    reading_error,
)
from smoke.browser.page_scripts import (
    COLLECT_GARBAGE_SCRIPT,
    GC_HANDLE_SCRIPT,
    NO_POLLING_SCRIPT,
    READY_SCRIPT,
    STATE_NOW_SCRIPT,
)
from smoke.model.checks import Check
from smoke.model.record import (
    ConsoleMessage as RecordedConsole,
)
from smoke.model.record import (
    FilterGroup,
    ListedEdit,
    MwConfig,
    PageError,
    PageRecord,
    SubRequest,
    Timings,
)
from smoke.plan.capture_settings import CaptureSettings


@dataclass
class _Events:
    """Listeners of one check; detached before the next check uses the page."""

    console: list[RecordedConsole] = field(default_factory=list)
    page_errors: list[PageError] = field(default_factory=list)
    subrequests: list[SubRequest] = field(default_factory=list)
    crashed: bool = False

    def on_console(self, message: ConsoleMessage) -> None:
        location = message.location or {}
        self.console.append(
            RecordedConsole(message.type, message.text, str(location.get("url", "")))
        )

    def on_pageerror(self, error: PlaywrightError) -> None:
        self.page_errors.append(PageError(error.message or str(error), error.stack or ""))

    def on_requestfailed(self, request: Request) -> None:
        if request.resource_type == "document" and request.is_navigation_request():
            return  # the navigation itself: reported as the check's error, not a sub-request
        self.subrequests.append(
            SubRequest(
                request.url,
                request.method,
                request.resource_type,
                None,
                request.failure or "failed",
            )
        )

    def on_crash(self, _page: Page) -> None:
        self.crashed = True


def capture(page: Page, check: Check, settings: CaptureSettings) -> PageRecord:
    """Load ``check.url`` in ``page`` and record what happened.

    Raises CouldNotCheck, as :mod:`smoke.browser.errors` translates Playwright's errors.
    """
    events = _Events()
    # No per-request listener: every response would cross into Python (dozens per page).
    # Statuses >= 400 come from Resource Timing (responseStatus) in the state script instead;
    # only failures, which are rare, are listened for.
    listeners: list[tuple[str, Callable[..., None]]] = [
        ("console", events.on_console),
        ("pageerror", events.on_pageerror),
        ("requestfailed", events.on_requestfailed),
        ("crash", events.on_crash),
    ]
    for name, handler in listeners:
        page.on(name, handler)  # type: ignore[call-overload]
    try:
        return _load_and_read(page, check, settings, events)
    finally:
        for name, handler in listeners:
            page.remove_listener(name, handler)


def _load_and_read(
    page: Page, check: Check, settings: CaptureSettings, events: _Events
) -> PageRecord:
    try:
        response = page.goto(
            check.url, wait_until="load", timeout=settings.navigation_timeout_s * 1000
        )
    except PlaywrightError as exc:
        raise navigation_error(exc, check.url, settings.navigation_timeout_s) from None
    status = response.status if response else None
    try:
        state = _wait_until_ready(page, check, settings)
        final_url = page.url
    except PlaywrightError as exc:
        raise reading_error(exc, check.url, crashed=events.crashed) from None
    if events.crashed:
        raise page_crashed(check.url)
    return _record(check, status, final_url, state, events, settings)


def _wait_until_ready(page: Page, check: Check, settings: CaptureSettings) -> dict[str, Any]:
    """The page's state once it is ready (see READY_SCRIPT), or as it is when the wait ends.

    A page that never gets ready is still read: a module stuck in "loading" or a filters app that
    never initialised is then in the record, for the detectors to report.
    """
    arg = {
        "filtersApp": check.page.has_filters_app,
        "settleMs": settings.settle_ms,
        "refetch": settings.refetch_probe,
    }
    try:
        handle = page.wait_for_function(
            READY_SCRIPT, arg=arg, timeout=settings.ready_timeout_s * 1000, polling=50
        )
    except PlaywrightTimeout:
        return page.evaluate(STATE_NOW_SCRIPT)  # type: ignore[no-any-return]
    try:
        return handle.json_value()  # type: ignore[no-any-return]
    finally:
        handle.dispose()


def _record(
    check: Check,
    status: int | None,
    final_url: str,
    state: dict[str, Any],
    events: _Events,
    settings: CaptureSettings,
) -> PageRecord:
    timing = state.get("timing") or {}
    groups = state.get("groups")
    filters_ready = bool(state.get("filtersReady")) if check.page.has_filters_app else None
    ready_ms = state.get("readyAt")
    if ready_ms is None or filters_ready is False:
        ready_ms = timing.get("load")
    return PageRecord(
        requested_url=check.url,
        final_url=final_url,
        status=status,
        timings=Timings(
            ttfb_ms=_ms(timing.get("ttfb")),
            dom_content_loaded_ms=_ms(timing.get("dcl")),
            load_ms=_ms(timing.get("load")),
            ready_ms=_ms(ready_ms),
        ),
        console=tuple(events.console),
        page_errors=tuple(events.page_errors),
        subrequests=tuple(events.subrequests) + _bad_subrequests(state, settings),
        module_states=dict(state.get("modules") or {}),
        mw_config=MwConfig(
            canonical_special_page=state.get("canonical"),
            request_id=state.get("requestId"),
            user_name=state.get("userName"),
            filter_groups=None
            if groups is None
            else tuple(FilterGroup(g["name"], tuple(g["filters"])) for g in groups),
            ores_scored=state.get("oresScored"),
        ),
        body_classes=tuple(state.get("bodyClasses") or ()),
        html=state.get("html") or "",
        filters_ready=filters_ready,
        active_filters={k: tuple(v) for k, v in (state.get("active") or {}).items()},
        listed_edits=tuple(
            ListedEdit(int(e["revId"]), str(e["ts"]), str(e["kind"]), bool(e["scored"]))
            for e in state.get("edits") or ()
        ),
        captured_at=time.time(),
    )


def _bad_subrequests(state: dict[str, Any], settings: CaptureSettings) -> tuple[SubRequest, ...]:
    """Responses >= 400 seen by Resource Timing, and the refetch probe when it went wrong."""
    bad = [
        SubRequest(r["url"], "GET", _RESOURCE_TYPES.get(r["type"], r["type"]), r["status"], "")
        for r in state.get("badResources") or ()
    ]
    refetch = state.get("refetch")
    if refetch and refetch["status"] is None:  # started, never answered
        waited = f"no answer within {settings.ready_timeout_s:g} s"
        bad.append(SubRequest(refetch["url"], "GET", "fetch", None, waited))
    elif refetch and refetch["status"] >= 400:  # 0 = network failure: requestfailed has it
        bad.append(SubRequest(refetch["url"], "GET", "fetch", refetch["status"], ""))
    return tuple(bad)


# Resource Timing's initiatorType, in the resource-type names Playwright (and the record) use.
_RESOURCE_TYPES = {"xmlhttprequest": "xhr", "link": "stylesheet", "css": "stylesheet"}


def _ms(value: Any) -> float | None:
    return round(float(value), 1) if isinstance(value, int | float) else None


@dataclass
class _Pooled:
    """A pooled page, its context, and how many checks used it."""

    context: BrowserContext
    page: Page
    uses: int = 0


class PagePool:
    """One reusable page per identity ("anon", or a logged-in user of one wiki), LRU-capped.

    Anonymous checks of every wiki share one context; each logged-in identity has its own context
    built from its storage state, so anonymous and logged-in cookies never mix.
    """

    def __init__(
        self,
        browser: Browser,
        *,
        user_agent: str,
        max_pages: int = 2,
        max_uses: int = 20,
        context_args: dict[str, Any] | None = None,
    ) -> None:
        self._browser = browser
        self._user_agent = user_agent
        self._max_pages = max_pages
        self._context_args = context_args or {}
        # A reused page grows: its renderer keeps the garbage of earlier documents (~15 MB a
        # check measured) because nothing pressures it to collect. So the pool runs one full V8
        # collection after every check (`after_check`, V8's own gc() kept out of the page's reach,
        # see page_scripts) and, for what a collection cannot free, replaces the page every
        # `max_uses` checks by a new page *in the same context*: the renderer exits, the context's
        # HTTP cache stays warm. Measured (66 sequential checks, headless shell): no collection
        # 0.78 CPU-s a check and 695 MB peak; gc() 0.83 and 565 MB; CDP's
        # HeapProfiler.collectGarbage 0.96 and 520 MB, because it is V8's low-memory mode, which
        # also drops compiled code that the next page must compile again. Replacing the whole
        # context instead cost ~0.15 CPU-s a check (every module fetched and compiled again).
        self._max_uses = max_uses
        self._pages: OrderedDict[str, _Pooled] = OrderedDict()

    def page_for(self, identity: str, storage_state: Path | None = None) -> Page:
        pooled = self._pages.get(identity)
        if pooled is not None and pooled.page.is_closed():
            self.discard(identity)
            pooled = None
        if pooled is None:
            pooled = self._open(identity, storage_state)
        elif pooled.uses >= self._max_uses:
            self._renew_page(pooled)
        self._pages.move_to_end(identity)
        pooled.uses += 1
        return pooled.page

    def _open(self, identity: str, storage_state: Path | None) -> _Pooled:
        while len(self._pages) >= self._max_pages:
            self.discard(next(iter(self._pages)))
        context = self._browser.new_context(
            user_agent=self._user_agent,
            storage_state=str(storage_state) if storage_state else None,
            **self._context_args,
        )
        context.add_init_script(NO_POLLING_SCRIPT)
        context.add_init_script(GC_HANDLE_SCRIPT)
        pooled = self._pages[identity] = _Pooled(context, context.new_page())
        return pooled

    def _renew_page(self, pooled: _Pooled) -> None:
        # Closed first: two renderers side by side would be the worker's memory peak.
        try:
            pooled.page.close()
        except PlaywrightError:
            pass
        pooled.page, pooled.uses = pooled.context.new_page(), 0

    def after_check(self, identity: str) -> None:
        """Collect the garbage of the check that just used ``identity``'s page."""
        pooled = self._pages.get(identity)
        if pooled is None or pooled.page.is_closed():
            return
        try:
            pooled.page.evaluate(COLLECT_GARBAGE_SCRIPT)
        except PlaywrightError:
            pass  # the page just went away: the next check gets a fresh one

    def discard(self, identity: str) -> None:
        """Drop a page (after a crash or a could-not-check error) so the next check starts clean."""
        pooled = self._pages.pop(identity, None)
        if pooled is not None:
            try:
                pooled.context.close()
            except PlaywrightError:
                pass  # already gone with a crashed browser

    def close(self) -> None:
        for identity in list(self._pages):
            self.discard(identity)
