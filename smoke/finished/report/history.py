"""The report history, ``reports/allure-history.jsonl``: read it, cut it at a run, file a run in.

One Allure history data point per line. smoke adds the key ``smokeRun`` (:data:`RUN_KEY`) with
the run id and sets ``timestamp`` to the run's start, because Allure orders history by
``timestamp`` and would otherwise use the time the report was built. The rules:

* the report of a run shows the runs before it (by start time) that have been reported, never
  later ones — so the report of an old run looks as it would have on its day;
* building a report puts the run's entry at its place in time: reporting runs out of order, or
  the same run twice, never duplicates an entry or reorders the history;
* a run whose report was never built is not in the history; ``smoke report <run>`` adds it;
* the file keeps the newest :data:`HISTORY_LIMIT` runs; builds hold a lock on it
  (:mod:`smoke.finished.report.build`).

A build gives Allure a copy holding only the entries before the run; Allure appends the run's
entry to that copy, and :func:`record_run` moves it into the real file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

HISTORY_FILE = "allure-history.jsonl"
HISTORY_LIMIT = 100
RUN_KEY = "smokeRun"


def _timestamp(entry: dict[str, Any]) -> int:
    value = entry.get("timestamp")
    return value if isinstance(value, int) else 0


def load_history(path: Path, notes: list[str] | None = None) -> list[dict[str, Any]]:
    """The history data points in ``path``, oldest first; unreadable lines are dropped (noted)."""
    return sorted(history_lines(path, notes), key=_timestamp)


def history_lines(path: Path, notes: list[str] | None = None) -> list[dict[str, Any]]:
    """The data points in file order (Allure appends at the end)."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return []
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if isinstance(entry, dict):
            entries.append(entry)
        elif notes is not None:
            notes.append(f"{path}:{number}: not a history entry; dropped")
    return entries


def split_history(
    entries: list[dict[str, Any]], run_id: str, started_ms: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(entries before the run, entries after it), each oldest first; the run's own earlier
    entry (a rebuild) is in neither."""
    others = sorted((e for e in entries if e.get(RUN_KEY) != run_id), key=_timestamp)
    return (
        [e for e in others if _timestamp(e) < started_ms],
        [e for e in others if _timestamp(e) >= started_ms],
    )


def merge_history(
    before: list[dict[str, Any]],
    entry: dict[str, Any],
    after: list[dict[str, Any]],
    limit: int = HISTORY_LIMIT,
) -> list[dict[str, Any]]:
    """The history with ``entry`` filed in by time, cut to the newest ``limit`` entries."""
    merged = sorted([*before, entry, *after], key=_timestamp)
    return merged[-limit:] if limit > 0 else []


def write_history(path: Path, entries: list[dict[str, Any]]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(
        "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in entries),
        "utf-8",
    )
    tmp.replace(path)  # readers never see a half-written history


def record_run(
    path: Path,
    built: Path,
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    *,
    run_id: str,
    started_ms: int,
    notes: list[str],
) -> None:
    """File the entry Allure appended to ``built`` (the copy it was given, holding ``before``)
    into the history at ``path``, keyed by ``run_id`` and timed at the run's start."""
    new = history_lines(built)[len(before) :]
    if len(new) == 1:
        entry = {**new[0], RUN_KEY: run_id, "timestamp": started_ms}
        write_history(path, merge_history(before, entry, after))
    else:  # Allure changed how it keeps history: keep ours as it was
        notes.append(
            f"Allure appended {len(new)} history entries (expected 1); {path} left unchanged"
        )
