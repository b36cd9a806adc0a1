"""Driving the browser: one check in, one :class:`~smoke.model.record.PageRecord` out.

This is the only module that talks to Playwright about page loads. It does not judge: it records.
Speed matters here (the machine is CPU-bound and a new page costs a renderer process), so a
:class:`PagePool` keeps one page per identity and reuses it with ``goto``; listeners are attached
per check, so checks stay independent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from playwright.sync_api import ConsoleMessage, Page, Request

from smoke.browser.errors import (
    PlaywrightError,
    PlaywrightTimeout,
    navigation_error,
    page_crashed,
    reading_error,
)
from smoke.browser.page_pool import PagePool
from smoke.browser.page_scripts import (
    IN_APP_SCRIPT,
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
from smoke.plan.loading import Loading

__all__ = ["PagePool", "capture"]

_T = TypeVar("_T")


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


def capture(
    page: Page, check: Check, settings: CaptureSettings, *, in_app: bool = False
) -> PageRecord:
    """Load ``check.url`` in ``page`` and record what happened.

    ``in_app``: the page shows the check's special page with its filters app up; take the
    variant as a filter change in that app (docs/loading.md). When the app cannot be asked or
    the change does not complete, the URL is loaded in full instead: the in-app path never turns
    into a could-not-check of its own. Raises CouldNotCheck, as :mod:`smoke.browser.errors`
    translates Playwright's errors.
    """
    if in_app:
        record = _listening(page, lambda events: _change_filters(page, check, settings, events))
        if record is not None:
            return record
    return _listening(page, lambda events: _load_and_read(page, check, settings, events))


def _listening(page: Page, read: Callable[[_Events], _T]) -> _T:
    """``read(events)`` with one check's listeners attached to ``page`` meanwhile."""
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
        return read(events)
    finally:
        for name, handler in listeners:
            page.remove_listener(name, handler)


def _change_filters(
    page: Page, check: Check, settings: CaptureSettings, events: _Events
) -> PageRecord | None:
    """The variant as a filter change in the page's app (IN_APP_SCRIPT); None: load it in full."""
    arg = {
        "url": check.url,
        "timeoutMs": settings.navigation_timeout_s * 1000,
        "settleMs": settings.settle_ms,
    }
    try:
        state = page.evaluate(IN_APP_SCRIPT, arg)
        final_url = page.url
    except PlaywrightError:
        return None  # the page navigated or went away meanwhile
    if not state or state.get("ended") != "done" or events.crashed:
        return None
    return _record(
        check, state.get("status"), final_url, state, events, settings, loaded=Loading.IN_APP
    )


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
    *,
    loaded: Loading = Loading.FULL,
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
        loaded=loaded.value,
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
