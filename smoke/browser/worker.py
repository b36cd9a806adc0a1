"""One browser per worker process, started on first use and restarted after a crash."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from smoke.browser.capture import PagePool, capture
from smoke.browser.chromium import NoBrowser, find_chromium
from smoke.browser.errors import PlaywrightError, browser_unavailable, server_refused
from smoke.browser.login import shared_session
from smoke.browser.page_scripts import GC_LAUNCH_ARGS
from smoke.browser.politeness import HostSlots
from smoke.judge.login_redirect import could_not_check
from smoke.model.checks import Check
from smoke.model.findings import BrowserCrashed, CouldNotCheck, LoginFailed
from smoke.model.record import PageRecord
from smoke.model.values import DEFAULT_MAX_PER_HOST
from smoke.plan.loading import Loading, may_load_in_app
from smoke.plan.planner import Plan
from smoke.plan.safety import Resolve, host_resolver_rules


class WorkerBrowser:
    """The worker's browser: launched locally, or reached at a Playwright server or CDP endpoint."""

    def __init__(
        self,
        *,
        run_dir: Path,
        browser_path: str | None = None,
        headed: bool = False,
        browser_endpoint: str | None = None,
        cdp_endpoint: str | None = None,
        resolves: tuple[Resolve, ...] = (),
        max_per_host: int = DEFAULT_MAX_PER_HOST,
        tracing: str = "on-retry",
    ) -> None:
        self.run_dir = run_dir
        self.browser_path = browser_path
        self.headed = headed
        self.browser_endpoint = browser_endpoint
        self.cdp_endpoint = cdp_endpoint
        self.resolves = resolves
        self.slots = HostSlots(run_dir / ".slots", max_per_host)
        # "on-retry": trace only attempts after the first (a failing check is then traced for
        # free on its retry); "retain-on-failure": every attempt (≈+0.6 CPU-s per check); "off".
        self.tracing = tracing
        self._traced: BrowserContext | None = None  # context with an open trace chunk
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._pool: PagePool | None = None
        self.last_page: Page | None = None
        self._identity: str | None = None  # whose page the last check used

    def _ensure_browser(self, plan: Plan) -> tuple[Browser, PagePool]:
        if self._browser is not None and self._pool is not None and self._browser.is_connected():
            return self._browser, self._pool
        self._drop_browser()
        # Ctrl-C in a terminal signals the whole process group. The driver and the browser must
        # not die under a check that is still being recorded: they ignore SIGINT (inherited
        # across exec) and the run stops in an orderly way from the controller instead.
        with _sigint_ignored():
            if self._playwright is None:
                with driver_node_options():
                    self._playwright = sync_playwright().start()
            self._browser = self._open_browser(self._playwright)
        self._pool = PagePool(self._browser, user_agent=plan.user_agent(self._browser.version))
        return self._browser, self._pool

    def _open_browser(self, playwright: Playwright) -> Browser:
        if self.cdp_endpoint:
            try:
                return playwright.chromium.connect_over_cdp(self.cdp_endpoint, timeout=30_000)
            except PlaywrightError as exc:
                raise browser_unavailable(
                    exc, f"cannot reach the Chromium at --cdp-endpoint {self.cdp_endpoint}"
                ) from None
        if self.browser_endpoint:
            try:
                return playwright.chromium.connect(
                    self.browser_endpoint, timeout=30_000, headers=self._server_launch_options()
                )
            except PlaywrightError as exc:
                raise server_refused(exc, self.browser_endpoint, self.browser_path) from None
        try:
            choice = find_chromium(self.browser_path, headless=not self.headed)
        except NoBrowser as exc:
            raise CouldNotCheck(str(exc)) from None
        args = self._launch_args()
        try:
            return playwright.chromium.launch(
                executable_path=choice.executable,
                headless=not self.headed,
                handle_sigint=False,
                handle_sigterm=False,  # the worker stops in order, closing the browser itself
                handle_sighup=False,
                args=args,
            )
        except PlaywrightError as exc:
            raise browser_unavailable(exc, f"could not start {choice.describe()}") from None

    def _launch_args(self) -> list[str]:
        args = list(GC_LAUNCH_ARGS)  # the page pool collects each page's garbage after a check
        if self.resolves:
            args.append(f"--host-resolver-rules={host_resolver_rules(self.resolves)}")
        return args

    def _server_launch_options(self) -> dict[str, str]:
        """What a Playwright server should launch for us: our browser args (--resolve rules, the
        exposed gc) as for a local launch; --browser-path as its executable (the server must run
        with --unsafe for that)."""
        options: dict[str, object] = {"args": self._launch_args()}
        if self.browser_path:
            options["executablePath"] = self.browser_path
        return {"x-playwright-launch-options": json.dumps(options)}

    def wants_trace(self, attempt: int) -> bool:
        return self.tracing == "retain-on-failure" or (self.tracing == "on-retry" and attempt > 1)

    def load(
        self,
        check: Check,
        plan: Plan,
        *,
        trace: bool = False,
        full: bool = False,
        navigation_timeout: float | None = None,
    ) -> PageRecord:
        """One attempt's record. ``full``: load the URL even where the check may be taken in the
        page's filters app, and from now on for its page (an in-app finding is judged on a full
        load: docs/loading.md). ``navigation_timeout``: a learned, shorter limit (execute/)."""
        browser, pool = self._ensure_browser(plan)
        identity, storage = "anon", None
        if check.needs_login:
            try:
                credentials = plan.credentials(check.wiki)
            except (KeyError, OSError):
                raise LoginFailed(
                    f"{check.wiki}: no credentials available for the smoke account"
                ) from None
            base = check.expectation.origin or check.url
            storage = shared_session(
                browser,
                self.run_dir,
                check.wiki,
                base,
                credentials,
                plan.user_agent(browser.version),
            )
            identity = f"user:{check.wiki}"
        page = pool.page_for(identity, storage)
        self.last_page = page
        self._identity = identity
        settings = plan.capture_settings(check.wiki)
        if full:
            pool.full_only(identity, check.url)
        in_app = settings.in_app and may_load_in_app(check) and pool.shows_app(identity, check.url)
        if trace:
            self._traced = page.context
            page.context.tracing.start(title=check.id, snapshots=True, screenshots=False)
        try:
            with self.slots.hold(urlsplit(check.url).netloc):
                if navigation_timeout is not None:  # a learned, shorter limit (execute/)
                    settings.navigation_timeout_s = min(
                        settings.navigation_timeout_s, navigation_timeout
                    )
                pool.loading(identity, check.url, Loading.IN_APP if in_app else Loading.FULL)
                record = capture(page, check, settings, in_app=in_app)
                if record.loaded == Loading.FULL and in_app:
                    pool.loading(identity, check.url, Loading.FULL)  # the app was not there
            if record.loaded == Loading.FULL:
                pool.after_check(identity)
        except BrowserCrashed:
            pool.discard(identity)
            self.last_page = None
            raise
        problem = could_not_check(record)
        if problem is not None:
            raise problem
        return record

    def judged(self, ok: bool) -> None:
        """The check last loaded passed (``ok``) or not: see PagePool.judged."""
        if self._pool is not None and self._identity is not None:
            self._pool.judged(self._identity, ok)

    def save_trace(self, path: Path) -> bool:
        """End the check's trace chunk into ``path`` (raw: the caller redacts it)."""
        return self._end_trace(path)

    def discard_trace(self) -> None:
        self._end_trace(None)

    def _end_trace(self, path: Path | None) -> bool:
        context, self._traced = self._traced, None
        if context is None:
            return False
        try:
            context.tracing.stop(path=str(path) if path else None)
        except PlaywrightError:
            return False  # the context went away with a crash
        return path is not None and path.exists()

    def screenshot(self, path: Path) -> bool:
        """Screenshot of the page the last check used (still showing it); False if impossible."""
        if self.last_page is None or self.last_page.is_closed():
            return False
        try:
            self.last_page.screenshot(path=str(path), full_page=False, timeout=5000)
        except PlaywrightError:
            return False
        return True

    def _drop_browser(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._browser is not None:
            try:
                self._browser.close()
            except PlaywrightError:
                pass
        self._pool = None
        self._browser = None
        self.last_page = None

    def close(self) -> None:
        try:
            self._drop_browser()
            if self._playwright is not None:
                self._playwright.stop()
        except (PlaywrightError, OSError):
            pass  # the driver is already gone (crash or interrupt): nothing left to close
        self._playwright = None


# The Playwright driver is a Node process per worker; with Node's default young generation (16 MB
# semi-spaces) it sits at ~145 MB PSS after a few dozen checks. A 1 MB semi-space keeps it ~25 MB
# smaller; its scavenges stay cheap (the driver's live data is small).
DRIVER_NODE_OPTIONS = "--max-semi-space-size=1"


@contextmanager
def driver_node_options() -> Iterator[None]:
    """NODE_OPTIONS for the driver only (it inherits the environment when it starts)."""
    previous = os.environ.get("NODE_OPTIONS")
    if "semi-space" not in (previous or ""):  # a user's own setting wins
        os.environ["NODE_OPTIONS"] = " ".join(filter(None, (previous, DRIVER_NODE_OPTIONS)))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("NODE_OPTIONS", None)
        else:
            os.environ["NODE_OPTIONS"] = previous


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
