"""``ores-scoring``: new edits stopped getting ORES scores ("scoring stopped since …").

Today's Extension:ORES scores an edit in a job after the edit (one Lift Wing request per model).
When Lift Wing refuses, answers 500 or answers a body the extension rejects, the job fails, the
edit stays unscored, and every page is still HTTP 200 with every filter offered. What a page does
show is its list: recent rows without scores below which older rows have them.

The rule, per *kind* of row (namespace, bot or human, edit or page creation — a kind ORES does
not score by configuration, bots or a namespace, never has a scored row and is never judged):

- the newest scored row of the kind is the evidence that scoring worked;
- a row of the kind newer than that and older than the grace period (``scoring_grace`` in
  wikis.yaml, :data:`~smoke.model.checks.DEFAULT_SCORING_GRACE_S`) without a score is *stale*;
- any stale row is a finding, dated from the oldest stale row.

So a quiet wiki (no edit since the last scored one) passes however long it is quiet; an edit
saved moments ago whose job has not run yet is younger than the grace period and passes; a wiki
none of whose listed edits is scored (ORES switched on yesterday, or only old edits listed) has
no evidence and passes; one lost job followed by scored edits is not "stopped" (it is older than
the newest scored row). Rows without a timestamp (Contributions) are not judged here.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterator

from smoke.judge.detectors.registry import detector
from smoke.model.checks import Expectation
from smoke.model.findings import Finding
from smoke.model.record import ListedEdit, PageRecord

SCORING = "ores-scoring"
STOPPED_PREFIX = "ORES scoring stopped since"
# Rows ORES never scores: category membership changes and log entries (Extension:ORES scores
# RC_EDIT and RC_NEW only).
_NOT_SCORABLE_SOURCES = frozenset({"categorize", "log", "newuserlog", "external"})


def _epoch(timestamp: str) -> float | None:
    """MediaWiki's ``YYYYMMDDHHMMSS`` (UTC) as seconds since the epoch; None when it is not."""
    if len(timestamp) != 14 or not timestamp.isdigit():
        return None
    try:
        parsed = time.strptime(timestamp, "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return float(calendar.timegm(parsed))


def _scorable(edit: ListedEdit) -> bool:
    source = edit.kind.rsplit("/", 1)[-1] if edit.kind else ""
    return source not in _NOT_SCORABLE_SOURCES


def _shown(timestamp: str) -> str:
    """``20261207031500`` -> ``2026-12-07 03:15:00 UTC``."""
    t = timestamp
    return f"{t[0:4]}-{t[4:6]}-{t[6:8]} {t[8:10]}:{t[10:12]}:{t[12:14]} UTC"


def _minutes(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:g} s"
    return f"{seconds / 60:.0f} min"


def stale_edits(
    edits: tuple[ListedEdit, ...], now: float, grace_s: float
) -> tuple[list[tuple[float, ListedEdit]], dict[str, tuple[float, ListedEdit]]]:
    """(stale rows, oldest first; the newest scored row of each kind they belong to)."""
    dated = [(when, e) for e in edits if _scorable(e) and (when := _epoch(e.timestamp)) is not None]
    # Timestamps have one-second steps: within one second, the larger revision id is the later
    # edit (ids are given in saving order), so "newer" compares (time, rev id).
    last_scored: dict[str, tuple[float, ListedEdit]] = {}
    for when, edit in dated:
        newest = last_scored.get(edit.kind)
        if edit.scored and (newest is None or (newest[0], newest[1].rev_id) < (when, edit.rev_id)):
            last_scored[edit.kind] = (when, edit)
    stale = [
        (when, edit)
        for when, edit in dated
        if not edit.scored
        and edit.kind in last_scored
        and (when, edit.rev_id) > (last_scored[edit.kind][0], last_scored[edit.kind][1].rev_id)
        and now - when > grace_s
    ]
    stale.sort(key=lambda pair: (pair[0], pair[1].rev_id))
    return stale, last_scored


@detector(SCORING)
def ores_scoring(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """Edits past the grace period are ORES-scored when earlier ones are (scoring stopped)."""
    if not expectation.expected_models or record.captured_at is None:
        return
    if record.status is None or record.status >= 400 or not record.listed_edits:
        return
    grace = expectation.scoring_grace_s
    stale, last_scored = stale_edits(record.listed_edits, record.captured_at, grace)
    if not stale:
        return
    first = stale[0][1]
    _, evidence = max((last_scored[edit.kind] for _, edit in stale), key=lambda pair: pair[0])
    revs = ", ".join(str(edit.rev_id) for _, edit in stale[:5]) + (" …" if len(stale) > 5 else "")
    yield Finding(
        SCORING,
        f"{STOPPED_PREFIX} {_shown(first.timestamp)}: {len(stale)} edit"
        f"{'s' if len(stale) > 1 else ''} older than {_minutes(grace)} without ORES scores "
        f"(revisions {revs}) while earlier edits have them (last scored: revision "
        f"{evidence.rev_id} at {_shown(evidence.timestamp)}); score jobs failing "
        "(Lift Wing unreachable or erroring?)",
        {
            "since": _shown(first.timestamp),
            "unscored": str(len(stale)),
            "first_unscored_rev": str(first.rev_id),
            "last_scored_rev": str(evidence.rev_id),
            "last_scored_at": _shown(evidence.timestamp),
            "grace": _minutes(grace),
        },
    )
