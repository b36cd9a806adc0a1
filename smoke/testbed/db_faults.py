"""Faults that live in a wiki's database rather than in its settings: ``model-unregistered``.

Extension:ORES looks a model up in its ``ores_model`` table (``SqlModelLookup::getModelId``, only
rows with ``oresm_is_current = 1``) and throws InvalidArgumentException "No model available for
[m]" when the model has none: a model enabled in ``$wgOresModels`` that the table does not know
(the table is filled from ``$wgOresModelVersions`` only while it is empty). The switch marks the
model's rows not current, and back. A score job that runs meanwhile registers the model again
(``ScoreFetcher::updateModelVersion``), as it would in production.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

from smoke.testbed.errors import EnvironmentProblem

MODEL_UNREGISTERED = "model-unregistered"


def database(wiki_dir: Path, wiki_id: str) -> Path:
    return wiki_dir / "db" / f"{wiki_id}.sqlite"


def set_registered(db: Path, models: Collection[str], registered: bool) -> None:
    """Mark every row of ``models`` in ``ores_model`` current (``registered``) or not."""
    if not models:
        return
    if not db.exists():
        raise EnvironmentProblem(f"no database at {db}: bring the farm up first")
    marks = ",".join("?" * len(models))
    try:
        with closing(sqlite3.connect(db, timeout=10)) as connection, connection:
            if registered:
                # The newest row of each model becomes current again (the one the job wrote last).
                connection.execute(
                    "UPDATE ores_model SET oresm_is_current = 1 WHERE oresm_id IN ("
                    "SELECT MAX(oresm_id) FROM ores_model WHERE oresm_name IN "
                    f"({marks}) GROUP BY oresm_name)",
                    tuple(models),
                )
            else:
                connection.execute(
                    f"UPDATE ores_model SET oresm_is_current = 0 WHERE oresm_name IN ({marks})",
                    tuple(models),
                )
    except sqlite3.Error as exc:
        raise EnvironmentProblem(f"{db}: could not switch {MODEL_UNREGISTERED}: {exc}") from None


def switch_registration(
    db: Path, before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
) -> None:
    """Brings ``ores_model`` from the wiki's faults ``before`` a switch to those ``after`` it."""
    was = set(before.get(MODEL_UNREGISTERED, {}).get("models", []))
    now = set(after.get(MODEL_UNREGISTERED, {}).get("models", []))
    set_registered(db, sorted(was - now), True)
    set_registered(db, sorted(now), False)
