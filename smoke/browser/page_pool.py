"""The pages smoke loads checks in: one reusable page per identity (:class:`PagePool`).

A new page costs a renderer process, so a page is reused with ``goto`` check after check; it also
remembers whether its filters app may serve the next variants of its special page in-app
(docs/loading.md).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

from smoke.browser.errors import PlaywrightError
from smoke.browser.page_scripts import (
    COLLECT_GARBAGE_SCRIPT,
    CONTROLLER_HOOK_SCRIPT,
    GC_HANDLE_SCRIPT,
    NO_POLLING_SCRIPT,
)
from smoke.plan.loading import Loading, page_key


@dataclass
class _Pooled:
    """A pooled page, its context, and how many checks used it."""

    context: BrowserContext
    page: Page
    uses: int = 0
    # The special page (plan.loading.page_key) whose filters app is up in this page after a full
    # load that passed: the next variants of that page may be taken in-app. `loading` is the
    # page just loaded in full, until its check is judged.
    app: str | None = None
    loading: str | None = None


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
        # (identity, page key) whose in-app variants found something their full load had to
        # confirm: that page is loaded in full from then on (docs/loading.md).
        self._full_only: set[tuple[str, str]] = set()

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

    # --- the in-app path (plan/loading.py decides which checks may take it) -------------------

    def shows_app(self, identity: str, url: str) -> bool:
        """Whether ``identity``'s page has the filters app of ``url``'s special page up, after a
        full load of it that passed, so a variant of it may be taken in-app."""
        pooled = self._pages.get(identity)
        key = page_key(url)
        return (
            pooled is not None
            and pooled.app == key
            and (identity, key) not in self._full_only
            and not pooled.page.is_closed()
        )

    def loading(self, identity: str, url: str, loaded: Loading) -> None:
        """A check is being loaded ``loaded``-wise in ``identity``'s page."""
        pooled = self._pages.get(identity)
        if pooled is not None and loaded is Loading.FULL:
            pooled.app, pooled.loading = None, page_key(url)

    def judged(self, identity: str, ok: bool) -> None:
        """The check just loaded in ``identity``'s page passed (``ok``) or not: after a full load
        that passed, its filters app may serve the page's next variants."""
        pooled = self._pages.get(identity)
        if pooled is None:
            return
        if pooled.loading is not None:
            pooled.app = pooled.loading if ok else None
            pooled.loading = None

    def full_only(self, identity: str, url: str) -> None:
        """Load ``url``'s special page in full from now on for ``identity``."""
        self._full_only.add((identity, page_key(url)))

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
        context.add_init_script(CONTROLLER_HOOK_SCRIPT)
        pooled = self._pages[identity] = _Pooled(context, context.new_page())
        return pooled

    def _renew_page(self, pooled: _Pooled) -> None:
        # Closed first: two renderers side by side would be the worker's memory peak.
        try:
            pooled.page.close()
        except PlaywrightError:
            pass
        pooled.page, pooled.uses = pooled.context.new_page(), 0
        pooled.app = pooled.loading = None

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
