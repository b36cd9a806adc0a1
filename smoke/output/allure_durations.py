"""Allure results get each check's real duration (its page load runs in pytest's setup phase).

allure-pytest times only the *call* phase, so a check that loaded for 2 s showed as 3 ms in the
report, its timeline and its sort by duration. The controller rewrites each result's ``start``
to ``stop`` minus the check's ``duration_s`` from results.json, once all workers are done.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from smoke.output.allure_results import rewrite_results
from smoke.output.results import CheckResult


def set_durations(allure_results: Path, results: Sequence[CheckResult]) -> int:
    """Rewrite start times in ``allure_results``; returns how many results were changed."""
    durations = {r.id: r.duration_s for r in results if r.duration_s > 0}

    def edit(name: str, body: dict[str, Any]) -> bool:
        seconds = durations.get(name)
        stop = body.get("stop")
        if seconds is None or not isinstance(stop, int):
            return False
        start = stop - round(seconds * 1000)
        if body.get("start") == start:
            return False
        body["start"] = start
        return True

    return rewrite_results(allure_results, edit)
