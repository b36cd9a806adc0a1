"""Run directories: their names and files, creating one, and pointing ``latest`` at it."""

from __future__ import annotations

import os
import secrets as random_secrets
import shutil
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


AUTH_DIR = ".auth"  # login sessions of a run in progress (secrets; removed at its end)
OWNER_FILE = ".owner"  # pid of the process that runs it, while it runs


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
