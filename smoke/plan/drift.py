"""Drift: what earlier runs of a target saw of ORES (levels, scores), given to this run's checks.

A level lost to a null threshold on a wiki whose levels nobody wrote into wikis.yaml is caught
only by comparison with what the wiki offered before. The last earlier run of the same target
recorded, per RecentChanges/Watchlist check, the levels the page offered (``ores_offered`` in
results.json); their union per wiki and page becomes each check's ``last_seen_levels``.

Scores the same way: a Contributions page whose scoring broke (service down, null thresholds)
keeps its checkbox and is HTTP 200; only "this page showed scores before" (``ores_scored``)
tells it from a user whose edits were never scored. Per wiki and page the newest run that loaded
the page decides; a run that itself reported the scores gone does not (it saw the outage), so
an outage lasting several runs fails every one of them, naming the last run that saw scores.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smoke.judge.detectors.ores import SCORES_GONE_PREFIX
from smoke.model.checks import Check
from smoke.output.past_runs import HistoryError, list_runs, load_run

Key = tuple[str, str]  # (wiki, page)
Levels = Mapping[Key, Mapping[str, frozenset[str]]]  # (wiki, page) -> model -> levels
_FLAGGED = "flagged"  # the page showed no scores and that run reported them gone


@dataclass(frozen=True)
class Seen:
    """What earlier runs saw: levels (of the last run with any) and where scores were seen."""

    levels: Levels = field(default_factory=dict)
    # (wiki, page) -> id of the run that last saw ORES scores there (absent: no evidence)
    scored: Mapping[Key, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.levels or self.scored)


def _levels(checks: Iterable[Mapping[str, Any]]) -> dict[Key, dict[str, frozenset[str]]]:
    seen: defaultdict[Key, defaultdict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for check in checks:
        offered = check.get("ores_offered")
        if not isinstance(offered, Mapping):
            continue
        key = (str(check.get("wiki")), str(check.get("page")))
        for model, levels in offered.items():
            if isinstance(levels, list):
                seen[key][str(model)].update(str(level) for level in levels)
    return {
        key: {model: frozenset(levels) for model, levels in models.items()}
        for key, models in seen.items()
    }


def _flagged(check: Mapping[str, Any]) -> bool:
    return any(
        isinstance(f, Mapping) and str(f.get("message", "")).startswith(SCORES_GONE_PREFIX)
        for f in check.get("findings") or ()
    )


def _scored(checks: Iterable[Mapping[str, Any]]) -> dict[Key, bool | str]:
    """Per page that loaded: True (some check saw scores), _FLAGGED, or False."""
    state: dict[Key, bool | str] = {}
    for check in checks:
        scored = check.get("ores_scored")
        if not isinstance(scored, bool):
            continue  # not loaded, or a run from before smoke recorded it
        key = (str(check.get("wiki")), str(check.get("page")))
        if scored:
            state[key] = True
        elif state.get(key) is not True and _flagged(check):
            state[key] = _FLAGGED
        else:
            state.setdefault(key, False)
    return state


def last_seen(reports_dir: Path, target: str) -> tuple[str, Seen]:
    """(run id of the newest earlier run of ``target`` with levels, what earlier runs saw)."""
    try:
        runs = list_runs(reports_dir)
    except OSError:
        return "", Seen()
    levels_run, levels = "", {}
    scored: dict[Key, str] = {}
    settled: set[Key] = set()
    pending: set[Key] = set()  # flagged in a newer run: the evidence is further back
    for run_dir in reversed(runs):
        if levels_run and not pending:
            break
        try:
            run = load_run(run_dir)
        except (HistoryError, OSError):
            continue
        if run.meta.get("target") != target or run.meta.get("watch"):
            continue
        if not levels_run:
            levels = _levels(run.checks)
            levels_run = run_dir.name if levels else ""
        for key, state in _scored(run.checks).items():
            if key in settled:
                continue
            if state == _FLAGGED:
                pending.add(key)
                continue
            settled.add(key)
            pending.discard(key)
            if state is True:
                scored[key] = run_dir.name
    return levels_run, Seen(levels, scored)


def with_drift(checks: Sequence[Check], run_id: str, seen: Seen) -> list[Check]:
    """``checks`` with what earlier runs saw in their expectations; one drift reporter per page.

    The level-drift reporter is the page's first check that asks for no ORES filter (``plain``
    in the default matrix): a lost level nobody configured fails one check per page, not every
    variant. Scores gone from Contributions fail every check of the page: none is scored.
    """
    if not seen:
        return list(checks)
    out: list[Check] = []
    reporters: set[Key] = set()
    for check in checks:
        key = (check.wiki, check.page.value)
        expectation = check.expectation
        scored_run = seen.scored.get(key)
        if not check.page.has_filters_app:
            if scored_run is not None:
                expectation = dataclasses.replace(
                    expectation, last_seen_scored=True, last_seen_run=scored_run
                )
                check = dataclasses.replace(check, expectation=expectation)
            out.append(check)
            continue
        levels = seen.levels.get(key)
        if levels is None:
            out.append(check)
            continue
        reports = (
            not expectation.requested_filters and key not in reporters and not check.skip_reason
        )
        if reports:
            reporters.add(key)
        expectation = dataclasses.replace(
            expectation,
            last_seen_levels=levels,
            last_seen_run=run_id,
            reports_drift=reports,
            last_seen_scored=scored_run is not None,
        )
        out.append(dataclasses.replace(check, expectation=expectation))
    return out
