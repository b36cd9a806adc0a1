"""Run directories: their names and files, creating one, and pointing ``latest`` at it."""

from __future__ import annotations

import os
import secrets as random_secrets
import shutil
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

LATEST = "latest"
PREVIOUS = "previous"
RESULTS_FILE = "results.json"
SUMMARY_FILE = "summary.md"
JUNIT_FILE = "junit.xml"
CHECKS_DIR = "checks"
ARTIFACTS_DIR = "artifacts"
ALLURE_RESULTS_DIR = "allure-results"
TRACEBACKS_DIR = "tracebacks"  # full tracebacks of broken checks; the console gets one line


AUTH_DIR = ".auth"  # login sessions of a run in progress (secrets; removed at its end)
OWNER_FILE = ".owner"  # pid of the process that runs it, while it runs
RESERVE_FILE = ".reserve"  # room kept for the run-level files (results.json …) on a full disk
RESERVE_BYTES = 1 << 20  # results.json, summary.md and junit.xml of a few hundred checks


def new_run_id() -> str:
    """A fresh run id: UTC time plus randomness, so runs started in the same second differ."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + random_secrets.token_hex(3)


def new_run_dir(reports_dir: Path, run_id: str | None = None) -> Path:
    """Create ``reports/<run-id>/``, never reusing one (FileExistsError for a taken --run-id).

    ``latest`` is not touched here: it moves with :func:`point_latest` once results are written.
    """
    reports_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_sessions(reports_dir)
    while True:
        run_dir = reports_dir / (run_id or new_run_id())
        try:
            run_dir.mkdir()  # atomic: of two runs asking for one name, one gets it
        except FileExistsError:
            if run_id:
                raise  # an explicit --run-id that is taken: earlier runs are never overwritten
            continue
        (run_dir / OWNER_FILE).write_text(str(os.getpid()), "utf-8")
        return run_dir


def taken_message(reports_dir: Path, run_id: str | None) -> str:
    """The one sentence for an explicit --run-id whose directory exists (run, watch, merge)."""
    return (
        f"run directory {reports_dir / (run_id or '')} exists; runs are never overwritten "
        "(choose another --run-id)"
    )


def reports_dir_problem(reports_dir: Path) -> str | None:
    """Why runs cannot be written under ``reports_dir`` (None: they can), asked before anything
    runs: the directory must be creatable and writable (a file is made and removed there)."""
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"--reports-dir {reports_dir}: cannot create it ({exc.strerror or exc})"
    try:
        with tempfile.NamedTemporaryFile(dir=reports_dir, prefix=".smoke-probe-"):
            pass
    except OSError as exc:
        return f"--reports-dir {reports_dir}: cannot write in it ({exc.strerror or exc})"
    return None


def keep_traceback(run_dir: Path, worker: str, what: str, exc: BaseException) -> None:
    """Append ``exc``'s traceback to ``tracebacks/<worker>.log`` (``what``: the check and URL).

    Best effort: a traceback that cannot be written (disk full) is not worth another one.
    """
    text = "".join(traceback.format_exception(exc))
    try:
        directory = run_dir / TRACEBACKS_DIR
        directory.mkdir(exist_ok=True)
        with (directory / f"{worker}.log").open("a", encoding="utf-8") as log:
            log.write(f"=== {what}\n{text}\n")
    except OSError:
        pass


def reserve_room(run_dir: Path, size: int = RESERVE_BYTES) -> None:
    """Hold ``size`` bytes for the run-level files: evidence may fill the disk, the verdict
    must still be written (freed by :func:`free_reserve` just before it is)."""
    block = b"\0" * (64 << 10)
    try:
        with (run_dir / RESERVE_FILE).open("wb") as reserve:
            for _ in range(size // len(block)):
                reserve.write(block)
    except OSError:
        (run_dir / RESERVE_FILE).unlink(missing_ok=True)  # already full: nothing to hold


def free_reserve(run_dir: Path) -> None:
    (run_dir / RESERVE_FILE).unlink(missing_ok=True)


def point_latest(reports_dir: Path, run_dir: Path) -> None:
    """Point ``reports/latest`` at ``run_dir`` (atomically), once its results are written."""
    link = reports_dir / LATEST
    tmp = reports_dir / f".{LATEST}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(run_dir.name)
    tmp.replace(link)
    (run_dir / OWNER_FILE).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale_sessions(reports_dir: Path) -> list[Path]:
    """Delete the login sessions (``.auth/``) of runs whose process died (SIGKILL, power loss)."""
    removed = []
    for auth in reports_dir.glob(f"*/{AUTH_DIR}"):
        owner = auth.parent / OWNER_FILE
        try:
            pid = int(owner.read_text("utf-8").strip())
        except (OSError, ValueError):
            pid = 0
        if pid and _alive(pid) and pid != os.getpid():
            continue
        shutil.rmtree(auth, ignore_errors=True)
        removed.append(auth)
    return removed
