"""Run directories: their names and files, creating one, and pointing ``latest`` at it."""

from __future__ import annotations

import os
import secrets as random_secrets
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


def new_run_dir(reports_dir: Path, run_id: str | None = None) -> Path:
    """Create ``reports/<run-id>/`` (never reusing one) and point ``reports/latest`` at it."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    run_id = run_id or (datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + random_secrets.token_hex(2))
    run_dir = reports_dir / run_id
    run_dir.mkdir()  # FileExistsError for a reused --run-id: earlier runs are never overwritten
    link = reports_dir / LATEST
    tmp = reports_dir / f".{LATEST}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(run_id)
    tmp.replace(link)  # atomic switch
    return run_dir
