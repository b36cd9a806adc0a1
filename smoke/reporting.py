"""Run directories, Allure labels and the evidence kept for failed and broken checks."""

from __future__ import annotations

import json
import os
import secrets as random_secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import allure

from smoke.checks import Check
from smoke.record import PageRecord
from smoke.redact import redact, redact_trace

if TYPE_CHECKING:
    from smoke.execution import Execution
    from smoke.worker import WorkerBrowser

LATEST = "latest"


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


def label_test(check: Check) -> None:
    """Allure labels for filtering and grouping: target, wiki, page, variant."""
    allure.dynamic.parent_suite(check.target)
    allure.dynamic.suite(check.wiki)
    allure.dynamic.sub_suite(check.page.value)
    allure.dynamic.title(check.id)
    for name, value in (
        ("target", check.target),
        ("wiki", check.wiki),
        ("page", check.page.value),
        ("variant", check.variant),
    ):
        allure.dynamic.label(name, value)
    allure.dynamic.tag(check.wiki, check.page.value)
    allure.dynamic.link(check.url, name="checked URL")


def label_outcome(execution: Execution) -> None:
    """smoke's own outcome as a label (flaky, known) and the known issue's task link."""
    allure.dynamic.label("smoke_outcome", execution.outcome.value)
    if len(execution.attempts) > 1:
        allure.dynamic.label("attempts", str(len(execution.attempts)))
    known = execution.verdict.known
    if known is not None:
        allure.dynamic.issue(known.url, name=known.task)
        allure.dynamic.label("known_issue", known.task)


def console_log(record: PageRecord) -> str:
    lines = [f"{c.type}: {c.text}" + (f"  ({c.url})" if c.url else "") for c in record.console]
    lines += [f"pageerror: {e.message}\n{e.stack}" for e in record.page_errors]
    lines += [
        f"subrequest: {s.method} {s.url} -> {s.status or s.failure}" for s in record.subrequests
    ]
    return "\n".join(lines) or "(no console messages, page errors or failed sub-requests)"


def evidence_dir(run_dir: Path, check: Check, attempt: int | None = None) -> Path:
    safe = check.id.replace("/", "__").replace("=", "-").replace(";", "+")
    directory = run_dir / "artifacts" / safe
    if attempt is not None:
        directory = directory / f"attempt-{attempt}"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def keep_evidence(
    run_dir: Path,
    check: Check,
    record: PageRecord | None,
    browser: WorkerBrowser | None,
    secrets: tuple[str, ...] = (),
    attempt: int | None = None,
) -> dict[str, str]:
    """Screenshot, page HTML and console log: files in the run directory and Allure attachments.

    ``attempt`` set: the evidence of an earlier, retried attempt (kept in ``attempt-N/``).
    """
    directory = evidence_dir(run_dir, check, attempt)
    prefix = f"attempt {attempt}: " if attempt is not None else ""
    kept: dict[str, str] = {}
    shot = directory / "screenshot.png"
    if browser is not None and browser.screenshot(shot):
        allure.attach.file(
            str(shot), name=prefix + "screenshot", attachment_type=allure.attachment_type.PNG
        )
        kept["screenshot"] = str(shot.relative_to(run_dir))
    raw_trace = directory / "trace.raw.zip"
    if browser is not None and browser.save_trace(raw_trace):
        trace = directory / "trace.zip"
        redact_trace(raw_trace, trace, secrets)
        allure.attach.file(str(trace), name=prefix + "Playwright trace", extension="zip")
        kept["trace"] = str(trace.relative_to(run_dir))
    if record is not None:
        html = redact(record.html, secrets)
        (directory / "page.html").write_text(html, "utf-8")
        allure.attach(html, name=prefix + "page HTML", attachment_type=allure.attachment_type.HTML)
        log = redact(console_log(record), secrets)
        (directory / "console.log").write_text(log, "utf-8")
        allure.attach(log, name=prefix + "console log", attachment_type=allure.attachment_type.TEXT)
        record_json = redact(
            json.dumps(
                {**record.to_dict(), "html": "(see page.html)"}, indent=1, ensure_ascii=False
            ),
            secrets,
        )
        (directory / "record.json").write_text(record_json, "utf-8")
        kept.update(
            html=str((directory / "page.html").relative_to(run_dir)),
            console=str((directory / "console.log").relative_to(run_dir)),
            record=str((directory / "record.json").relative_to(run_dir)),
        )
    return kept
