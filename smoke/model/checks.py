"""A check: one wiki x page x variant, resolved (URL, expectations) before any browser starts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Page(StrEnum):
    """The special pages smoke loads. Values are the names used in wikis.yaml and check ids."""

    RECENTCHANGES = "recentchanges"
    WATCHLIST = "watchlist"
    CONTRIBUTIONS = "contributions"

    @property
    def has_filters_app(self) -> bool:
        """RC and Watchlist run the structured filters UI; Contributions does not."""
        return self is not Page.CONTRIBUTIONS


ORES_MODELS: tuple[str, ...] = ("damaging", "goodfaith")
ORES_LEVELS: tuple[str, ...] = ("likelygood", "maybebad", "likelybad", "verylikelybad")


@dataclass(frozen=True)
class AllowEntry:
    """Known console noise: a console error or page error matching ``pattern`` is not a finding."""

    pattern: str  # a Python regular expression, searched in the message text
    reason: str
    task: str | None = None  # e.g. "T123456"
    expires: date | None = None  # after this day the entry no longer applies and is reported

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires


@dataclass(frozen=True)
class Expectation:
    """What a healthy page must show, as the detectors need it."""

    page: Page
    # ORES models the wiki is configured to have (empty: the wiki has no ORES).
    expected_models: frozenset[str] = frozenset()
    # ORES filter group -> values the check's URL asks for (e.g. {"damaging": ("likelybad",)}).
    requested_filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Allowlist entries in force today (expired ones are filtered out before they get here).
    allowlist: tuple[AllowEntry, ...] = ()
    # Origin of the wiki ("http://127.0.0.1:8401"), to tell same-origin sub-requests apart.
    origin: str = ""
    # Timing budgets in ms for this page: "ttfb_ms", "load_ms", "ready_ms" (absent: no budget).
    budgets: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """One page load to make and judge. ``id`` is stable: ``<wiki>/<page>/<variant>``."""

    id: str
    target: str
    wiki: str
    page: Page
    variant: str
    url: str
    expectation: Expectation
    needs_login: bool = False
    # Set when the check must not run (e.g. an ORES variant on a wiki without ORES); reported as
    # skipped with this reason, never as a pass.
    skip_reason: str | None = None
