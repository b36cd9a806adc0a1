"""The detector registry: what a detector is, how it is declared, and how a set of them is run.

A detector is a pure function ``(record, expectation) -> Iterable[Finding]`` wrapped by
``@detector("name")``. The decorator only *wraps*; it registers nothing. The one registry,
``smoke.judge.detectors.ALL_DETECTORS``, is built explicitly by :func:`build_registry` from the
list of detectors in ``smoke/judge/detectors/__init__.py``, so the order is fixed and importing
a module has no global effect.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from smoke.model.checks import Expectation
from smoke.model.findings import Finding
from smoke.model.record import PageRecord

DetectorFunc = Callable[[PageRecord, Expectation], Iterable[Finding]]

#: Detector name of the finding that replaces a detector which raised.
INTERNAL = "internal"

#: Evidence strings are for humans; keep them short.
EVIDENCE_LIMIT = 300


@dataclass(frozen=True)
class Detector:
    """A named detector. Calling it runs the wrapped function and returns a list."""

    name: str
    help: str
    func: DetectorFunc

    def __call__(self, record: PageRecord, expectation: Expectation) -> list[Finding]:
        return list(self.func(record, expectation))


def detector(name: str) -> Callable[[DetectorFunc], Detector]:
    """Declare a detector; its docstring's first line becomes its help text."""

    def wrap(func: DetectorFunc) -> Detector:
        doc = inspect.getdoc(func)
        if not doc:
            raise TypeError(f"detector {name!r} ({func.__qualname__}) needs a one-line docstring")
        return Detector(name=name, help=doc.splitlines()[0].strip(), func=func)

    return wrap


def build_registry(*detectors: Detector) -> dict[str, Detector]:
    """Map names to detectors in the given order; a repeated name is a programming error."""
    registry: dict[str, Detector] = {}
    for det in detectors:
        if det.name in registry or det.name == INTERNAL:
            raise ValueError(f"duplicate or reserved detector name {det.name!r}")
        registry[det.name] = det
    return registry


def select(detectors: Mapping[str, Detector], enabled: Collection[str] | None) -> list[Detector]:
    """The detectors to run, in registry order. ``None`` means all of them."""
    if enabled is None:
        return list(detectors.values())
    unknown = sorted(set(enabled) - set(detectors))
    if unknown:
        raise ValueError(
            f"unknown detector(s): {', '.join(unknown)}; valid names: {', '.join(detectors)}"
        )
    return [det for name, det in detectors.items() if name in enabled]


def run(
    detectors: Mapping[str, Detector],
    record: PageRecord,
    expectation: Expectation,
    *,
    enabled: Collection[str] | None = None,
) -> list[Finding]:
    """Run the selected detectors and collect every finding.

    A detector that raises must not hide what the others found, nor pass the check silently:
    its exception becomes a finding of detector ``internal`` (findings it yielded before
    raising are kept).
    """
    findings: list[Finding] = []
    for det in select(detectors, enabled):
        try:
            for finding in det.func(record, expectation):
                findings.append(finding)
        except Exception as exc:
            findings.append(_internal_finding(det.name, exc))
    return findings


def _internal_finding(name: str, exc: Exception) -> Finding:
    error = truncate(f"{type(exc).__name__}: {exc}")
    return Finding(
        detector=INTERNAL,
        message=f"detector {name!r} crashed: {error}",
        evidence={"detector": name, "exception": error},
    )


def truncate(text: str, limit: int = EVIDENCE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
