"""The one end of a run, for ``smoke run`` (the pytest controller) and ``smoke watch`` alike.

In order: run-level files from what is in memory (results.json, summary.md, junit.xml made to
agree with them, the Allure results' durations), then the last redaction pass over everything
written without redaction (:func:`smoke.output.redact.scrub_run`), then the run's private files
go (login sessions in ``.auth/``, host slots, the give-up state) and only then does
``reports/latest`` move here. This is also the one place where a run is complete: whatever
publishes a finished run (metrics, alerts) is called from :func:`finish`, with the run
directory and its results.

The verdict comes before the evidence: room for the run-level files is reserved when the run
directory is made (:func:`smoke.output.run_dir.reserve_room`) and freed here; when the disk is
still full, evidence is dropped and the files written again. Only when even that fails does
:class:`RunFilesUnwritable` name the file and the error (exit 5).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smoke import __version__
from smoke.browser.login import session_secrets
from smoke.execute.give_up import LOCK_FILE, STATE_FILE
from smoke.output.allure_durations import set_durations
from smoke.output.environment import environment
from smoke.output.evidence import SKIPPED_NOTE
from smoke.output.junit import write_junit
from smoke.output.redact import redact_file, scrub_run
from smoke.output.results import CheckResult, write_results_json
from smoke.output.run_dir import (
    ALLURE_RESULTS_DIR,
    ARTIFACTS_DIR,
    AUTH_DIR,
    JUNIT_FILE,
    SUMMARY_FILE,
    free_reserve,
    point_latest,
)
from smoke.output.summary import render_summary

FULL = (errno.ENOSPC, errno.EDQUOT)


class RunFilesUnwritable(Exception):
    """results.json, summary.md or junit.xml could not be written, even after making room."""

    def __init__(self, path: Path, error: OSError) -> None:
        self.path, self.error = path, error
        super().__init__(f"could not write {path}: {error.strerror or error}")


@dataclass
class RunEnd:
    """What a finished run or watch hands the end of run."""

    run_dir: Path
    results: list[CheckResult]
    meta: dict[str, Any]  # from :func:`run_meta`, plus what the command adds
    secrets: tuple[str, ...] = ()  # the plan's (passwords); the sessions' are read here
    # summary.md from the meta (None: a run's, :func:`smoke.output.summary.render_summary`).
    summary: Callable[[dict[str, Any]], str] | None = None
    sections: Mapping[str, Any] = field(default_factory=dict)  # more of results.json (watch)
    junit: Path | None = None  # pytest's --junitxml (None: junit.xml in the run directory)
    junit_name: str = "smoke"  # the suite's name when junit.xml is made from scratch


def run_meta(
    run_dir: Path,
    *,
    started_at: str,
    target: str,
    interrupted_by: str | None,
    notes: Sequence[str] = (),
    **extra: Any,
) -> dict[str, Any]:
    """``run`` of results.json: the same keys for a run and a watch (``extra``: the command's)."""
    return {
        "run_id": run_dir.name,
        **extra,
        "started_at": started_at,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": target,
        "smoke_version": __version__,
        "interrupted": interrupted_by is not None,
        **({"interrupted_by": interrupted_by} if interrupted_by else {}),
        "notes": list(notes),
    }


def run_secrets(plan_secrets: Sequence[str], run_dir: Path) -> tuple[str, ...]:
    """Every secret the run knows: the plan's passwords and its login sessions' values."""
    return (*plan_secrets, *session_secrets(run_dir))


def finish(end: RunEnd) -> list[str]:
    """Write the run-level files, redact, clean up, move ``latest``; warning lines to print.

    Raises :class:`RunFilesUnwritable`; the private files are removed whatever happens.
    """
    run_dir = end.run_dir
    warnings = evidence_warnings(end.results)
    if warnings:
        end.meta["notes"].append(warnings[0].removeprefix("warning: "))
    if end.meta.get("interrupted"):
        end.meta["environment"] = environment([])  # no wiki is asked: the grace is short
    else:
        end.meta["environment"] = environment(end.results)
    free_reserve(run_dir)
    try:
        try:
            _write(end)
        except RunFilesUnwritable as exc:
            if exc.error.errno not in FULL or not drop_evidence(run_dir):
                raise
            note = "the disk was full: evidence was deleted to write the results"
            end.meta["notes"].append(note)
            warnings.append(f"warning: {note}")
            _write(end)
        # The last net, while the sessions' secrets are still known: what was written without
        # redaction (results, summary, junit, tracebacks, Allure results) redacted with all.
        secrets = run_secrets(end.secrets, run_dir)
        scrub_run(run_dir, secrets)
        junit = end.junit or run_dir / JUNIT_FILE
        if junit.is_file() and run_dir.resolve() not in junit.resolve().parents:
            redact_file(junit, secrets)
    finally:
        remove_private(run_dir)
    with _writing(run_dir.parent / "latest"):
        point_latest(run_dir.parent, run_dir)
    return warnings


def remove_private(run_dir: Path) -> None:
    """Sessions are secrets: never kept after the run; slots and give-up state are no output."""
    shutil.rmtree(run_dir / AUTH_DIR, ignore_errors=True)
    shutil.rmtree(run_dir / ".slots", ignore_errors=True)
    for name in (STATE_FILE, LOCK_FILE):
        (run_dir / name).unlink(missing_ok=True)


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise RunFilesUnwritable(path, exc) from None


def _write(end: RunEnd) -> None:
    run_dir, results, meta = end.run_dir, end.results, end.meta
    with _writing(run_dir / "results.json"):
        path = write_results_json(run_dir, results, meta)
        if end.sections:
            body = json.loads(path.read_text("utf-8"))
            body.update(end.sections)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", "utf-8")
            tmp.replace(path)
    summary = end.summary(meta) if end.summary else render_summary(results, meta)
    with _writing(run_dir / SUMMARY_FILE):
        (run_dir / SUMMARY_FILE).write_text(summary, "utf-8")
    junit = end.junit or run_dir / JUNIT_FILE
    with _writing(junit):
        write_junit(junit, results, interrupted_by=meta.get("interrupted_by"), name=end.junit_name)
    try:
        set_durations(run_dir / ALLURE_RESULTS_DIR, results)
    except OSError:
        pass  # Allure's start times are a nicety; the verdict is written


def drop_evidence(run_dir: Path) -> bool:
    """Delete the evidence files (screenshots, traces, pages, Allure attachments) to make room;
    whether anything was deleted."""
    dropped = False
    for path in [
        *(run_dir / ARTIFACTS_DIR).rglob("*"),
        *(run_dir / ALLURE_RESULTS_DIR).glob("*-attachment*"),
    ]:
        if path.is_file():
            path.unlink(missing_ok=True)
            dropped = True
    return dropped


def evidence_warnings(results: Sequence[CheckResult]) -> list[str]:
    """One line for the console and the run's notes when evidence could not be written."""
    skipped = [r for r in results if any(n.startswith(SKIPPED_NOTE) for n in r.notes)]
    if not skipped:
        return []
    first = next(n for n in skipped[0].notes if n.startswith(SKIPPED_NOTE))
    return [
        f"warning: evidence of {len(skipped)} check(s) was not written ({first}; each check's "
        "notes in results.json say which)"
    ]
