"""What one page load looked like: a plain, serialisable record.

The capture layer (``smoke.browser.capture``) is the only code that talks to the browser; it
returns a :class:`PageRecord`. Detectors judge records and never touch Playwright, so every
detector can be unit-tested on a record built by hand.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ConsoleMessage:
    """A ``console.*`` call or a browser-generated console line (e.g. "Failed to load resource")."""

    type: str  # "error", "warning", "log", ...
    text: str
    url: str = ""  # script or resource the message points at, when the browser says


@dataclass(frozen=True)
class PageError:
    """An uncaught JavaScript exception (Playwright's ``pageerror``)."""

    message: str
    stack: str = ""


@dataclass(frozen=True)
class SubRequest:
    """A sub-request that failed at network level (``failure`` set) or answered status >= 400."""

    url: str
    method: str = "GET"
    resource_type: str = ""  # "script", "xhr", "fetch", "stylesheet", ...
    status: int | None = None  # None when the request never got a response
    failure: str = ""  # network error text, e.g. "net::ERR_CONNECTION_REFUSED"


@dataclass(frozen=True)
class Timings:
    """Milliseconds from navigation start; None when the page never got that far."""

    ttfb_ms: float | None = None
    dom_content_loaded_ms: float | None = None
    load_ms: float | None = None
    ready_ms: float | None = None  # RC/WL: filters app initialised; other pages: load


@dataclass(frozen=True)
class FilterGroup:
    """One entry of ``mw.config.get('wgStructuredChangeFilters')``: a group and its filter names."""

    name: str
    filters: tuple[str, ...] = ()


@dataclass(frozen=True)
class MwConfig:
    """The few ``mw.config`` values smoke reads. All None when ``mw`` never loaded."""

    canonical_special_page: str | None = None  # wgCanonicalSpecialPageName
    request_id: str | None = None  # wgRequestId
    user_name: str | None = None  # wgUserName (None for anonymous)
    # None when the page did not define wgStructuredChangeFilters at all.
    filter_groups: tuple[FilterGroup, ...] | None = None
    # Whether ORES scored anything shown: a non-empty ``oresData`` (Extension:ORES sets it, and
    # loads ext.ores.styles, only when it rendered a scored row) or a row with an ORES
    # ``mw-changeslist-damaging-*``/``-goodfaith-*`` class. None when ``mw`` never loaded.
    ores_scored: bool | None = None


@dataclass(frozen=True)
class ListedEdit:
    """One revision row of the page's list (RC/WL ``[data-mw-revid]``, Contributions ``li``).

    ``timestamp`` is MediaWiki's ``data-mw-ts`` (``YYYYMMDDHHMMSS``, UTC; RC/WL only, "" on
    Contributions). ``kind`` groups rows ORES treats alike: namespace, bot or human, edit or
    page creation (``ns0/human/edit``); "" when the row says nothing of it. ``scored``: the row
    carries an ORES score (an ``oresData`` entry or an ORES level class).
    """

    rev_id: int
    timestamp: str = ""
    kind: str = ""
    scored: bool = False


@dataclass(frozen=True)
class PageRecord:
    """Everything one check observed. Pure data: no browser objects."""

    requested_url: str
    final_url: str = ""
    status: int | None = None  # HTTP status of the main document
    timings: Timings = field(default_factory=Timings)
    console: tuple[ConsoleMessage, ...] = ()
    page_errors: tuple[PageError, ...] = ()
    subrequests: tuple[SubRequest, ...] = ()
    # ResourceLoader module name -> state, for every module not "ready"/"registered" plus the ones
    # smoke cares about (rcfilters, ORES modules).
    module_states: dict[str, str] = field(default_factory=dict)
    mw_config: MwConfig = field(default_factory=MwConfig)
    body_classes: tuple[str, ...] = ()
    html: str = ""
    # RC/WL only: True once body.mw-rcfilters-ui-initialized appeared, False if it did not within
    # the ready timeout, None on pages without the filters app.
    filters_ready: bool | None = None
    # RC/WL only: ORES group -> values the filters app shows as selected after it initialised.
    active_filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # How the page was loaded (smoke.plan.loading.Loading): "full" (its URL, a new document) or
    # "in-app" (a filter change in the page's filters app: status, timings and HTML are those
    # of the list refetch; see docs/loading.md).
    loaded: str = "full"
    # The revision rows listed, newest first as the page shows them (capped by capture).
    listed_edits: tuple[ListedEdit, ...] = ()
    # When the page was read (seconds since the epoch, smoke's clock); None when unknown.
    captured_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageRecord:
        """Inverse of :meth:`to_dict` (for records saved as JSON)."""
        cfg = dict(data.get("mw_config") or {})
        groups = cfg.get("filter_groups")
        cfg["filter_groups"] = (
            None
            if groups is None
            else tuple(FilterGroup(g["name"], tuple(g.get("filters", ()))) for g in groups)
        )
        return cls(
            requested_url=data["requested_url"],
            final_url=data.get("final_url", ""),
            status=data.get("status"),
            timings=Timings(**(data.get("timings") or {})),
            console=tuple(ConsoleMessage(**c) for c in data.get("console", ())),
            page_errors=tuple(PageError(**e) for e in data.get("page_errors", ())),
            subrequests=tuple(SubRequest(**s) for s in data.get("subrequests", ())),
            module_states=dict(data.get("module_states") or {}),
            mw_config=MwConfig(**cfg),
            body_classes=tuple(data.get("body_classes", ())),
            html=data.get("html", ""),
            filters_ready=data.get("filters_ready"),
            active_filters={k: tuple(v) for k, v in (data.get("active_filters") or {}).items()},
            loaded=data.get("loaded", "full"),
            listed_edits=tuple(ListedEdit(**e) for e in data.get("listed_edits", ())),
            captured_at=data.get("captured_at"),
        )
