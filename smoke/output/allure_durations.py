"""Allure results get each check's real duration (its page load runs in pytest's setup phase).

allure-pytest times only the *call* phase, so a check that loaded for 2 s showed as 3 ms in the
report, its timeline and its sort by duration. The controller rewrites each result's ``start``
to ``stop`` minus the check's ``duration_s`` from results.json, once all workers are done.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from smoke.output.results import CheckResult


def set_durations(allure_results: Path, results: Sequence[CheckResult]) -> int:
    """Rewrite start times in ``allure_results``; returns how many results were changed."""
    durations = {r.id: r.duration_s for r in results if r.duration_s > 0}
    changed = 0
    for path in allure_results.glob("*-result.json"):
        try:
            body = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue  # not ours to repair; Allure reports it
        seconds = durations.get(str(body.get("name", "")))
        stop = body.get("stop")
        if seconds is None or not isinstance(stop, int):
            continue
        start = stop - round(seconds * 1000)
        if body.get("start") == start:
            continue
        body["start"] = start
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(body, ensure_ascii=False), "utf-8")
        tmp.replace(path)
        changed += 1
    return changed
