"""Past runs: find them under the reports directory, order them, resolve a RUN argument, load them.

A *run* is a directory directly under the reports directory that holds ``results.json``. A run
directory without it is still going, or was stopped before the controller wrote anything: it is
not a run yet and is never offered as one.

Runs are ordered by ``run.started_at`` in results.json when it is there, otherwise by the run
directory's modification time, then by name (run ids are UTC times, so names sort by time too).

A RUN argument is a run id (``20261128-080921``), a path to a run directory, ``latest`` or
``previous``. ``latest``/``previous`` skip runs that were merged into another run (they are
shards of it): comparing a whole sweep with one of its shards would only report "disappeared".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smoke.output.results import CheckResult
from smoke.output.run_dir import LATEST, PREVIOUS, RESULTS_FILE

# How many run ids an error message lists (newest first); a reports dir can hold hundreds.
_SHOWN_IN_ERRORS = 8


class HistoryError(Exception):
    """A RUN argument that names no run, or a run whose results cannot be read (usage: exit 4)."""


class RunNotFound(HistoryError):
    pass


class BadRun(HistoryError):
    pass


@dataclass(frozen=True)
class Run:
    """One finished run: where it is, its ``run`` metadata and its check records (raw dicts).

    Checks stay plain dicts so fields added later (``attempts``, outcome ``flaky``) survive
    loading, diffing and merging untouched.
    """

    path: Path
    meta: dict[str, Any]
    checks: list[dict[str, Any]]

    @property
    def run_id(self) -> str:
        # The directory name, not run.run_id: it is what a RUN argument names, and the two
        # differ once a run directory is copied under another name (CI artifacts).
        return self.path.name

    @property
    def target(self) -> str | None:
        target = self.meta.get("target")
        return str(target) if target is not None else None


# --- finding and ordering runs --------------------------------------------------------------


def is_run_dir(path: Path) -> bool:
    return path.is_dir() and (path / RESULTS_FILE).is_file()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BadRun(f"cannot read {path}: {exc}") from None


def _meta_of(run_dir: Path) -> dict[str, Any]:
    """The ``run`` object of results.json; {} when unreadable (ordering must not crash on it)."""
    try:
        body = json.loads((run_dir / RESULTS_FILE).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    meta = body.get("run") if isinstance(body, dict) else None
    return meta if isinstance(meta, dict) else {}


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # A naive time in results.json would be the controller's UTC clock; make it comparable.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_time(run_dir: Path, meta: dict[str, Any] | None = None) -> datetime:
    """When a run happened: ``run.started_at`` if recorded, else the directory's mtime."""
    started = parse_time((meta if meta is not None else _meta_of(run_dir)).get("started_at"))
    if started is not None:
        return started
    mtime = run_dir.stat().st_mtime
    return datetime.fromtimestamp(mtime if math.isfinite(mtime) else 0.0, UTC)


def _scan(reports_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every run with its ``run`` metadata, oldest first (each results.json is read once)."""
    if not reports_dir.is_dir():
        return []
    found = [
        child
        for child in reports_dir.iterdir()
        # `latest` is a symlink to a run already listed; dot-entries are temporary files.
        if not child.is_symlink() and not child.name.startswith(".") and is_run_dir(child)
    ]
    metas = {path: _meta_of(path) for path in found}
    found.sort(key=lambda path: (run_time(path, metas[path]), path.name))
    return [(path, metas[path]) for path in found]


def list_runs(reports_dir: Path) -> list[Path]:
    """Every run under ``reports_dir``, oldest first."""
    return [path for path, _ in _scan(reports_dir)]


def top_level_runs(reports_dir: Path) -> list[Path]:
    """Runs that stand on their own, oldest first: not listed in a run's ``merged_from``
    (those are shards of a merged run)."""
    scanned = _scan(reports_dir)
    shards: set[str] = set()
    for _, meta in scanned:
        merged_from = meta.get("merged_from")
        if isinstance(merged_from, list):
            shards.update(str(name) for name in merged_from)
    return [path for path, _ in scanned if path.name not in shards]


# --- resolving a RUN argument ---------------------------------------------------------------


def _not_found(name: str, reports_dir: Path, runs: list[Path], why: str = "") -> RunNotFound:
    ids = [path.name for path in reversed(runs)]  # newest first: the ones people look for
    shown = ", ".join(ids[:_SHOWN_IN_ERRORS]) or "none"
    if len(ids) > _SHOWN_IN_ERRORS:
        shown += f", … ({len(ids) - _SHOWN_IN_ERRORS} older)"
    return RunNotFound(f"no run '{name}' under {reports_dir}/ ({why}runs: {shown})")


def resolve_run(name: str, reports_dir: Path) -> Path:
    """The run directory a RUN argument means. Raises :class:`RunNotFound` with the choices."""
    if name in (LATEST, PREVIOUS):
        runs = top_level_runs(reports_dir)
        index = -1 if name == LATEST else -2
        if len(runs) < -index:
            raise _not_found(name, reports_dir, runs)
        return runs[index]
    for candidate in (reports_dir / name, Path(name)):
        if is_run_dir(candidate):
            return candidate
    candidate = reports_dir / name if (reports_dir / name).is_dir() else Path(name)
    why = (
        f"{candidate} has no {RESULTS_FILE}: still running, or stopped before it was written; "
        if candidate.is_dir()
        else ""
    )
    raise _not_found(name, reports_dir, list_runs(reports_dir), why)


# --- loading --------------------------------------------------------------------------------


def load_run(run_dir: Path) -> Run:
    body = _read_json(run_dir / RESULTS_FILE)
    if not isinstance(body, dict) or not isinstance(body.get("checks", []), list):
        raise BadRun(f"{run_dir / RESULTS_FILE} is not a smoke results file (no 'checks' list)")
    checks = body.get("checks", [])
    for index, check in enumerate(checks):
        if not isinstance(check, dict) or not isinstance(check.get("id"), str):
            raise BadRun(f"{run_dir / RESULTS_FILE}: check #{index} has no 'id'")
        if not isinstance(check.get("outcome"), str):
            raise BadRun(f"{run_dir / RESULTS_FILE}: check {check['id']!r} has no 'outcome'")
    meta = body.get("run")
    return Run(path=run_dir, meta=dict(meta) if isinstance(meta, dict) else {}, checks=checks)


def load_results(run_dir: Path) -> list[dict[str, Any]]:
    """The check records of a run, as stored (dicts)."""
    return load_run(run_dir).checks


_CHECK_FIELDS = {f.name for f in fields(CheckResult)}
_REQUIRED_TEXT = ("target", "wiki", "page", "variant", "url")


def to_check_result(check: dict[str, Any]) -> CheckResult:
    """A :class:`CheckResult` from a stored record; fields it does not know are left out."""
    known = {key: value for key, value in check.items() if key in _CHECK_FIELDS}
    for key in _REQUIRED_TEXT:  # hand-made or older records may lack them; "" renders fine
        known.setdefault(key, "")
    attempts = known.get("attempts")
    if attempts is not None and not (
        isinstance(attempts, list) and all(isinstance(a, dict) for a in attempts)
    ):
        del known["attempts"]  # a bare count (hand-made records): render_summary wants the list
    return CheckResult(**known)
