"""A check: one wiki x page x variant, resolved (URL, expectations) before any browser starts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol


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
# The canonical order of levels, used everywhere levels are listed (wikis.yaml, URLs, reports).
ORES_LEVELS: tuple[str, ...] = ("likelygood", "maybebad", "likelybad", "verylikelybad")
# The levels a wiki offers when its configuration does not override them: Extension:ORES's own
# defaults, config `OresFiltersThresholds` in its extension.json (goodfaith `verylikelybad` is
# `false` there, i.e. off). Production overrides them per wiki ($wgOresFiltersThresholds in
# operations/mediawiki-config); Beta does not. In wikis.yaml, `ores: [damaging, goodfaith]` means
# these levels.
ORES_DEFAULT_LEVELS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "damaging": ("likelygood", "maybebad", "likelybad", "verylikelybad"),
        "goodfaith": ("likelygood", "maybebad", "likelybad"),
    }
)


@dataclass(frozen=True)
class AllowEntry:
    """Known console noise: a console error or page error matching ``pattern`` is not a finding."""

    pattern: str  # a Python regular expression, searched in the message text
    reason: str
    task: str | None = None  # e.g. "T123456"
    expires: date | None = None  # after this day the entry no longer applies and is reported

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires


# slots: a large target expands to a million checks; without a __dict__ each is much smaller.
# An edit's score job runs seconds after the edit on a healthy wiki; a busy job queue can take
# minutes. Half an hour without a score, while earlier edits of its kind have one, is not that.
DEFAULT_SCORING_GRACE_S = 1800.0


@dataclass(frozen=True, slots=True)
class Expectation:
    """What a healthy page must show, as the detectors need it."""

    page: Page
    # ORES models the wiki is configured to have (empty: the wiki has no ORES).
    expected_models: frozenset[str] = frozenset()
    # ORES model -> the levels wikis.yaml says the wiki offers. A model absent here has no level
    # expectation (only its group is expected). Keys are a subset of expected_models (not checked
    # here: a large target builds a million of these).
    expected_levels: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # ORES filter group -> values the check's URL asks for (e.g. {"damaging": ("likelybad",)}).
    requested_filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Allowlist entries in force today (expired ones are filtered out before they get here).
    allowlist: tuple[AllowEntry, ...] = ()
    # Origin of the wiki ("http://127.0.0.1:8401"), to tell same-origin sub-requests apart.
    origin: str = ""
    # Timing budgets in ms for this page: "ttfb_ms", "load_ms", "ready_ms" (absent: no budget).
    budgets: Mapping[str, float] = field(default_factory=dict)
    # Drift: the ORES levels the last earlier run of this target saw on this wiki's page, and
    # that run's id (empty: no earlier run). A level seen then and gone now is a finding, on
    # the checks that ask for it and, for levels wikis.yaml does not list, on the page's one
    # drift-reporting check (``reports_drift``).
    last_seen_levels: Mapping[str, frozenset[str]] = field(default_factory=dict)
    last_seen_run: str = ""
    reports_drift: bool = False
    # Drift: that run saw ORES scores on this wiki's page. Scores gone now on a page that lists
    # edits mean scoring broke; without that earlier evidence "no scores" may just be old edits.
    last_seen_scored: bool = False
    # ores-scoring: how old (seconds) an unscored edit may be before it counts as unscored for
    # good (its score job should have run by then); wikis.yaml ``scoring_grace`` per target.
    scoring_grace_s: float = DEFAULT_SCORING_GRACE_S


@dataclass(frozen=True, slots=True)
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


# --- building many at once ----------------------------------------------------------------------
# A 50,000-wiki target expands to 1.4 million checks. The __init__ a frozen dataclass generates
# sets each field with object.__setattr__(self, "name", value), a lookup by name per field; the
# constructors below set each slot through its descriptor instead, which halves the time. They
# take every field by keyword (no defaults) and return the same objects as calling the class.


class NewExpectation(Protocol):
    def __call__(
        self,
        *,
        page: Page,
        expected_models: frozenset[str],
        expected_levels: Mapping[str, frozenset[str]],
        requested_filters: Mapping[str, tuple[str, ...]],
        allowlist: tuple[AllowEntry, ...],
        origin: str,
        budgets: Mapping[str, float],
        last_seen_levels: Mapping[str, frozenset[str]],
        last_seen_run: str,
        reports_drift: bool,
        last_seen_scored: bool,
        scoring_grace_s: float,
    ) -> Expectation: ...


class NewCheck(Protocol):
    def __call__(
        self,
        *,
        id: str,
        target: str,
        wiki: str,
        page: Page,
        variant: str,
        url: str,
        expectation: Expectation,
        needs_login: bool,
        skip_reason: str | None,
    ) -> Check: ...


def _slot_constructor(cls: type[Any]) -> Any:
    """``cls(**every_field)`` for a frozen dataclass with slots, setting slots directly."""
    names = [f.name for f in fields(cls)]
    source = "\n".join(
        [
            f"def new(*, {', '.join(names)}):",
            "    made = _new(_cls)",
            *(f"    _set_{name}(made, {name})" for name in names),
            "    return made",
        ]
    )
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    namespace.update({f"_set_{name}": getattr(cls, name).__set__ for name in names})
    exec(source, namespace)  # as dataclasses builds __init__; the source is made from field names
    return namespace["new"]


new_expectation: NewExpectation = _slot_constructor(Expectation)
new_check: NewCheck = _slot_constructor(Check)
