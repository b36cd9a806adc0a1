"""Hand-built results.json records for the notify tests."""

from __future__ import annotations

from typing import Any


def check(
    wiki: str,
    page: str,
    variant: str = "plain",
    outcome: str = "passed",
    *,
    detector: str = "server-error",
    message: str = "HTTP 500: Fatal exception (request id Xyz1234567890abcdefghij)",
    kind: str = "NavigationTimeout",
    load_ms: float | None = 1200.0,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"{wiki}/{page}/{variant}",
        "target": "beta",
        "wiki": wiki,
        "page": page,
        "variant": variant,
        "url": f"https://{wiki}.example/w/index.php?title=Special:{page}&token=SECRET",
        "outcome": outcome,
        "findings": [],
        "error": None,
        "timings": {"ttfb_ms": 100.0, "load_ms": load_ms},
    }
    if outcome == "failed":
        record["findings"] = [{"detector": detector, "message": message}]
    elif outcome == "broken":
        record["error"] = {"kind": kind, "message": message, "hint": ""}
    return record
