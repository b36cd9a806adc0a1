"""Detectors: pure functions that judge a :class:`~smoke.model.record.PageRecord` against an
:class:`~smoke.model.checks.Expectation` and return :class:`~smoke.model.findings.Finding` objects.

The registry is this explicit, ordered list (nothing registers itself on import). To add a
detector: write a module with an ``@detector("name")`` function, import it here, add it to
``ALL_DETECTORS``, and give it ``tests/unit/test_detectors_<module>.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType

from smoke.judge.detectors import (
    budget,
    filters_app,
    javascript,
    ores,
    resourceloader,
    scoring,
    server_error,
    subrequests,
)
from smoke.judge.detectors.registry import INTERNAL, Detector, build_registry, detector, run
from smoke.model.checks import Expectation
from smoke.model.findings import Finding
from smoke.model.record import PageRecord

__all__ = [
    "ALL_DETECTORS",
    "INTERNAL",
    "Detector",
    "describe",
    "detector",
    "run_detectors",
]

ALL_DETECTORS: Mapping[str, Detector] = MappingProxyType(
    build_registry(
        server_error.server_error,
        javascript.javascript,
        subrequests.subrequests,
        resourceloader.resourceloader,
        filters_app.filters_app,
        ores.ores_present,
        ores.ores_applied,
        scoring.ores_scoring,
        budget.budget,
    )
)


def describe() -> list[tuple[str, str]]:
    """(name, help) of every detector, in run order: for ``--help`` and ``smoke detectors``."""
    return [(det.name, det.help) for det in ALL_DETECTORS.values()]


def run_detectors(
    record: PageRecord,
    expectation: Expectation,
    *,
    enabled: Collection[str] | None = None,
) -> list[Finding]:
    """Every finding of the enabled detectors (all when ``enabled`` is None), in registry order.

    Raises ValueError naming the valid detectors when ``enabled`` holds an unknown name. A
    detector that raises yields a finding of detector ``internal`` instead of hiding the others.
    """
    return run(ALL_DETECTORS, record, expectation, enabled=enabled)
