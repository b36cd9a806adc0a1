"""``filters-app``: the structured filters UI of RecentChanges/Watchlist did not initialise.

Runs independently of ``server-error``: on an error page both fire, and the evidence says whether
the server had enabled the app at all (body class ``mw-rcfilters-enabled``; missing on error pages
and when the user turned the new UI off) or the JavaScript app failed after the server did.
"""

from __future__ import annotations

from collections.abc import Iterator

from smoke.judge.detectors.registry import detector
from smoke.model.checks import Expectation
from smoke.model.findings import Finding
from smoke.model.record import PageRecord

NAME = "filters-app"

ENABLED_CLASS = "mw-rcfilters-enabled"
UI_MODULE = "mediawiki.rcfilters.filters.ui"


@detector(NAME)
def filters_app(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """RecentChanges/Watchlist: the structured filters UI did not initialise in time."""
    if not expectation.page.has_filters_app or record.filters_ready is not False:
        return
    enabled = ENABLED_CLASS in record.body_classes
    evidence = {"rcfilters_enabled_class": "present" if enabled else "absent"}
    if UI_MODULE in record.module_states:
        evidence["module_state"] = f"{UI_MODULE}={record.module_states[UI_MODULE]}"
    yield Finding(NAME, "structured filters UI did not initialise", evidence)
