"""Drift: the ORES levels the last earlier run of a target saw, given to this run's checks.

A level lost to a null threshold on a wiki whose levels nobody wrote into wikis.yaml is caught
only by comparison with what the wiki offered before. The last earlier run of the same target
recorded, per RecentChanges/Watchlist check, the levels the page offered (``ores_offered`` in
results.json); their union per wiki and page becomes each check's ``last_seen_levels``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from smoke.model.checks import Check
from smoke.output.history import HistoryError, list_runs, load_run

Seen = Mapping[tuple[str, str], Mapping[str, frozenset[str]]]  # (wiki, page) -> model -> levels


def last_seen(reports_dir: Path, target: str) -> tuple[str, Seen]:
    """(run id, levels seen per wiki and page) of the newest earlier run of ``target``."""
    try:
        runs = list_runs(reports_dir)
    except OSError:
        return "", {}
    for run_dir in reversed(runs):
        try:
            run = load_run(run_dir)
        except (HistoryError, OSError):
            continue
        if run.meta.get("target") != target or run.meta.get("watch"):
            continue
        seen: defaultdict[tuple[str, str], defaultdict[str, set[str]]] = defaultdict(
            lambda: defaultdict(set)
        )
        for check in run.checks:
            offered = check.get("ores_offered")
            if not isinstance(offered, Mapping):
                continue
            key = (str(check.get("wiki")), str(check.get("page")))
            for model, levels in offered.items():
                if isinstance(levels, list):
                    seen[key][str(model)].update(str(level) for level in levels)
        if seen:
            return run_dir.name, {
                key: {model: frozenset(levels) for model, levels in models.items()}
                for key, models in seen.items()
            }
    return "", {}


def with_drift(checks: Sequence[Check], run_id: str, seen: Seen) -> list[Check]:
    """``checks`` with the last-seen levels in their expectations; one drift reporter per page.

    The reporter is the page's first check that asks for no ORES filter (``plain`` in the
    default matrix): a lost level nobody configured fails one check per page, not every variant.
    """
    if not seen:
        return list(checks)
    out: list[Check] = []
    reporters: set[tuple[str, str]] = set()
    for check in checks:
        key = (check.wiki, check.page.value)
        levels = seen.get(key)
        if levels is None or not check.page.has_filters_app:
            out.append(check)
            continue
        expectation = check.expectation
        reports = (
            not expectation.requested_filters and key not in reporters and not check.skip_reason
        )
        if reports:
            reporters.add(key)
        expectation = dataclasses.replace(
            expectation, last_seen_levels=levels, last_seen_run=run_id, reports_drift=reports
        )
        out.append(dataclasses.replace(check, expectation=expectation))
    return out
